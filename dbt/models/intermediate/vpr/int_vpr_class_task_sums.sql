-- The one scan of the ВПР task table for completions: per class x task, the pupils with a
-- non-null cell (participants), Σ scores and Σ task maxima over the non-null cells, beside the
-- class's pupils who sat the work (class_pupils). Every level (school, municipality, region) and
-- every skill rolls up from here by plain sums: completions are pooled, so they add up exactly.
with task_scores as (

    select * from {{ ref('int_vpr_task_scores') }}

),

pupil_works as (

    select * from {{ ref('int_vpr_pupil_works') }}

),

class_pupils as (

    select
        year,
        work,
        class_key,
        count(*) as class_pupils
    from pupil_works
    group by year, work, class_key

),

class_tasks as (

    select
        year,
        work,
        region_code,
        mo_code,
        school_code,
        class_key,
        task,
        task_level,
        skill_code,
        count(score) as participants,
        sum(score) as score_sum,
        sum(task_max) filter (where score is not null) as max_sum
    from task_scores
    group by year, work, region_code, mo_code, school_code, class_key, task, task_level, skill_code

),

final as (

    select
        class_tasks.*,
        class_pupils.class_pupils
    from class_tasks
    inner join class_pupils
        on class_tasks.year = class_pupils.year
        and class_tasks.work = class_pupils.work
        and class_tasks.class_key = class_pupils.class_key

)

select * from final
