-- «Достижение планируемых результатов»: completion per checked skill (Код умения) over all tasks
-- of the skill (pooled Σ scores / Σ maxima over non-null cells), per work for the region, each
-- municipality, school and class. participants = pupils of the group with a non-null cell for at
-- least one task of the skill: the class's pupils who sat the work less those whose cells of the
-- skill are all X (found by a scan of the null cells only), summed over the group's classes.
with class_task_sums as (

    select * from {{ ref('int_vpr_class_task_sums') }}
    where skill_code is not null

),

null_cells as (

    select * from {{ ref('int_vpr_task_scores') }}
    where score is null
        and skill_code is not null

),

plan as (

    select * from {{ ref('stg_vpr_plan') }}
    where skill_code is not null

),

skill_names as (

    select
        year,
        'ВПР ' || subject || ' ' || grade as work,
        skill_code,
        min(skill_name) as skill_name
    from plan
    group by all

),

skill_tasks as (

    select
        year,
        work,
        skill_code,
        count(distinct task) as tasks
    from class_task_sums
    group by year, work, skill_code

),

pupils_without_skill as (

    select
        null_cells.year,
        null_cells.work,
        null_cells.region_code,
        null_cells.mo_code,
        null_cells.school_code,
        null_cells.class_key,
        null_cells.skill_code,
        null_cells.pupil_work_id
    from null_cells
    inner join skill_tasks
        on null_cells.year = skill_tasks.year
        and null_cells.work = skill_tasks.work
        and null_cells.skill_code = skill_tasks.skill_code
    group by all
    having count(distinct null_cells.task) = any_value(skill_tasks.tasks)

),

class_skills as (

    select
        year,
        work,
        region_code,
        mo_code,
        school_code,
        class_key,
        skill_code,
        any_value(class_pupils) as participants,
        sum(score_sum) as score_sum,
        sum(max_sum) as max_sum
    from class_task_sums
    group by year, work, region_code, mo_code, school_code, class_key, skill_code

),

class_absent as (

    select
        year,
        work,
        region_code,
        mo_code,
        school_code,
        class_key,
        skill_code,
        -count(*) as participants,
        0 as score_sum,
        0 as max_sum
    from pupils_without_skill
    group by year, work, region_code, mo_code, school_code, class_key, skill_code

),

-- the class's pupils, less (negative rows) those with only X cells on the skill: summed by the
-- rollup below, so no join of the two is needed
class_skill_rows as (

    select year, work, region_code, mo_code, school_code, class_key, skill_code, participants, score_sum, max_sum from class_skills
    union all
    select year, work, region_code, mo_code, school_code, class_key, skill_code, participants, score_sum, max_sum from class_absent

),

skill_groups as (

    select
        year,
        work,
        skill_code,
        {{ entity_level_columns(['region', 'municipality', 'school', 'class']) }},
        sum(participants) as participants,
        sum(score_sum) as score_sum,
        sum(max_sum) as max_sum
    from class_skill_rows
    group by {{ entity_grouping_sets(['year', 'work', 'skill_code'], ['region', 'municipality', 'school', 'class']) }}

),

final as (

    select
        skill_groups.year::integer as year,
        skill_groups.work,
        skill_groups.level,
        skill_groups.entity_code,
        skill_groups.skill_code,
        skill_names.skill_name,
        skill_groups.participants::integer as participants,
        (100.0e0 * skill_groups.score_sum / skill_groups.max_sum)::double as completion_pct
    from skill_groups
    left join skill_names
        on skill_groups.year = skill_names.year
        and skill_groups.work = skill_names.work
        and skill_groups.skill_code = skill_names.skill_code
    where skill_groups.max_sum > 0

)

select * from final
