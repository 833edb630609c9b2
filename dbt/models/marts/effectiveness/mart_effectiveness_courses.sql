-- Skills targeted by courses (seed measure_types, role courses; the measure's work and Коды умений,
-- all the work's skills of the plan when it names none): completion of each skill in Y−1 and Y in the
-- schools the courses reached (their teachers took them) and in the other schools that wrote the work
-- (methodology, «The management cycle»). Completion = Σ scores / Σ maxima over the skill's non-null
-- cells (pooled, as deficits.csv); pupils = per class the most pupils with a cell of the skill's
-- tasks, summed; se of a completion = √(p(1−p)/pupils). difference = the course schools' change
-- minus the other schools' change; difference_se2 = effectiveness_se_multiplier times its standard
-- error (√ of the four variances); verdict 'up' (the course schools gained more), 'down', 'none',
-- or null. Rows for year Y only, one per work and skill.
with params as (

    {{ seed_params('analysis_params', ['effectiveness_se_multiplier']) }}

),

courses as (

    select * from {{ ref('int_measure_addressees') }}
    where year = {{ var('run_year') }}
        and role = 'courses'
        and work is not null

),

plan_skills as (

    select
        'ВПР ' || subject || ' ' || cast(grade as string) as work,
        skill_code,
        min(skill_name) as skill_name
    from {{ ref('stg_vpr_plan') }}
    where year = {{ var('run_year') }}
        and skill_code is not null
    group by subject, grade, skill_code

),

named_skills as (

    select
        work,
        school_code,
        {{ explode_list(split_list('skill_codes', ',')) }} as skill_code
    from courses
    where skill_codes is not null

),

course_schools as (

    select distinct work, skill_code, school_code from named_skills
    where skill_code <> ''
    union
    select courses.work, plan_skills.skill_code, courses.school_code
    from courses
    inner join plan_skills
        on courses.work = plan_skills.work
    where courses.skill_codes is null

),

targets as (

    select distinct work, skill_code from course_schools

),

class_skills as (

    select
        sums.year,
        sums.work,
        sums.skill_code,
        sums.school_code,
        sums.class_key,
        sum(sums.score_sum) as score_sum,
        sum(sums.max_sum) as max_sum,
        max(sums.participants) as pupils
    from {{ ref('int_vpr_class_task_sums') }} as sums
    inner join targets
        on sums.work = targets.work
        and sums.skill_code = targets.skill_code
    where sums.year between {{ var('run_year') }} - 1 and {{ var('run_year') }}
    group by sums.year, sums.work, sums.skill_code, sums.school_code, sums.class_key

),

grouped as (

    select
        class_skills.year,
        class_skills.work,
        class_skills.skill_code,
        case when course_schools.school_code is not null then 'course' else 'other' end as school_group,
        count(distinct class_skills.school_code) as schools,
        sum(class_skills.pupils) as pupils,
        100.0e0 * sum(class_skills.score_sum) / nullif(sum(class_skills.max_sum), 0) as completion
    from class_skills
    left join course_schools
        on class_skills.work = course_schools.work
        and class_skills.skill_code = course_schools.skill_code
        and class_skills.school_code = course_schools.school_code
    group by class_skills.year, class_skills.work, class_skills.skill_code,
        case when course_schools.school_code is not null then 'course' else 'other' end

),

with_se as (

    select
        grouped.*,
        100.0e0 * sqrt((completion / 100.0e0) * (1 - completion / 100.0e0) / pupils) as se
    from grouped

),

pivoted as (

    select
        targets.work,
        targets.skill_code,
        {%- for grp in ['course', 'other'] %}
        max(case when s.school_group = '{{ grp }}' and s.year = {{ var('run_year') }} then s.schools end) as {{ grp }}_schools,
        max(case when s.school_group = '{{ grp }}' and s.year = {{ var('run_year') }} - 1 then s.pupils end) as {{ grp }}_pupils_prev,
        max(case when s.school_group = '{{ grp }}' and s.year = {{ var('run_year') }} then s.pupils end) as {{ grp }}_pupils,
        max(case when s.school_group = '{{ grp }}' and s.year = {{ var('run_year') }} - 1 then s.completion end) as {{ grp }}_completion_prev,
        max(case when s.school_group = '{{ grp }}' and s.year = {{ var('run_year') }} then s.completion end) as {{ grp }}_completion,
        max(case when s.school_group = '{{ grp }}' and s.year = {{ var('run_year') }} - 1 then s.se end) as {{ grp }}_se_prev,
        max(case when s.school_group = '{{ grp }}' and s.year = {{ var('run_year') }} then s.se end) as {{ grp }}_se{{ ',' if not loop.last }}
        {%- endfor %}
    from targets
    left join with_se as s
        on targets.work = s.work
        and targets.skill_code = s.skill_code
    group by targets.work, targets.skill_code

),

final as (

    select
        cast({{ var('run_year') }} as integer) as year,
        pivoted.work,
        pivoted.skill_code,
        plan_skills.skill_name,
        pivoted.course_schools,
        pivoted.course_pupils_prev,
        pivoted.course_pupils,
        pivoted.course_completion_prev,
        pivoted.course_completion,
        pivoted.course_completion - pivoted.course_completion_prev as course_change,
        pivoted.other_schools,
        pivoted.other_pupils_prev,
        pivoted.other_pupils,
        pivoted.other_completion_prev,
        pivoted.other_completion,
        pivoted.other_completion - pivoted.other_completion_prev as other_change,
        (pivoted.course_completion - pivoted.course_completion_prev)
            - (pivoted.other_completion - pivoted.other_completion_prev) as difference,
        params.effectiveness_se_multiplier * sqrt(power(pivoted.course_se, 2) + power(pivoted.course_se_prev, 2)
            + power(pivoted.other_se, 2) + power(pivoted.other_se_prev, 2)) as difference_se2
    from pivoted
    left join plan_skills
        on pivoted.work = plan_skills.work
        and pivoted.skill_code = plan_skills.skill_code
    cross join params

)

select
    *,
    case
        when difference is null or difference_se2 is null then null
        when difference > difference_se2 then 'up'
        when difference < -difference_se2 then 'down'
        else 'none'
    end as verdict
from final
