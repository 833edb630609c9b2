-- Fact `vpr_pupil` of the indicator catalogue: one row per pupil × ВПР work (joined to the school
-- by Логин ОО), with the pupil's practice-oriented sums for R16–R17: over the pupil's non-null
-- cells (X = null is skipped) of tasks the plan flags practice-oriented (`да`),
-- practice_score = Σ score, practice_max = Σ task maximum (the plan's), practice_cells = cells.
-- R10–R15 use the pupils with an Отметка (`mark notnull` in the catalogue).
-- The task cells are read from staging and linked to the pupil row by (_load_id, _source_row),
-- as in int_vpr_task_scores, but only the practice-flagged plan rows are joined: a hash join with
-- a small build side instead of materialising every cell again (18 M cells a year).
with pupil_works as (

    select * from {{ ref('int_vpr_pupil_works') }}

),

practice_tasks as (

    select
        year,
        subject,
        grade,
        task,
        task_max
    from {{ ref('stg_vpr_plan') }}
    where practice_oriented
        and year <= {{ var('run_year') }}
    qualify row_number() over (
        partition by year, subject, grade, task
        order by _load_id desc, _source_row desc
    ) = 1

),

practice_cells as (

    select
        tasks._load_id,
        tasks._source_row,
        sum(tasks.score) as practice_score,
        sum(coalesce(practice_tasks.task_max, tasks.task_max)) as practice_max,
        count(*) as practice_cells
    from {{ ref('stg_vpr_tasks') }} as tasks
    inner join practice_tasks
        on tasks.year = practice_tasks.year
        and tasks.subject = practice_tasks.subject
        and tasks.grade = practice_tasks.grade
        and tasks.task = practice_tasks.task
    where tasks.score is not null
    group by tasks._load_id, tasks._source_row

),

final as (

    select
        pupil_works.pupil_work_id,
        pupil_works.year,
        pupil_works.subject as vpr_subject,
        pupil_works.grade,
        pupil_works.work,
        pupil_works.region_code,
        pupil_works.mo_code,
        pupil_works.school_code,
        pupil_works.class_key,
        pupil_works.mark,
        pupil_works.primary_score,
        pupil_works.work_max,
        coalesce(practice_cells.practice_score, 0) as practice_score,
        coalesce(practice_cells.practice_max, 0) as practice_max,
        coalesce(practice_cells.practice_cells, 0) as practice_cells
    from pupil_works
    left join practice_cells
        on pupil_works._load_id = practice_cells._load_id
        and pupil_works._source_row = practice_cells._source_row

)

select * from final
