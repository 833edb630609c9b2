-- One row per pupil x ВПР task (long) of every year <= run_year (markers, deficits and priority
-- deficits are computed for every year present: methodology, «Conventions»), with
-- the task plan's level, checked skill and practice-oriented flag. score is null for X (not
-- applicable / not checked).
-- A view, not a table: the join costs a fraction of a second per scan, while writing the
-- widest table of the warehouse (18 M rows a year at large scale) cost seconds per million rows;
-- its few consumers each aggregate it once.
{{ config(materialized='view') }}

with tasks as (

    select * from {{ ref('stg_vpr_tasks') }}
    where year <= {{ var('run_year') }}

),

works as (

    select * from {{ ref('int_vpr_pupil_works') }}

),

plan as (

    select * from {{ ref('stg_vpr_plan') }}

),

final as (

    select
        works.pupil_work_id,
        works.year,
        works.subject,
        works.grade,
        works.work,
        works.region_code,
        works.mo_code,
        works.school_code,
        works.class_key,
        works.mark,
        tasks.task,
        coalesce(plan.task_max, tasks.task_max) as task_max,
        coalesce(plan.task_level, tasks.task_level) as task_level,
        plan.skill_code,
        plan.skill_name,
        coalesce(plan.practice_oriented, false) as practice_oriented,
        tasks.score
    from tasks
    inner join works
        on tasks._load_id = works._load_id
        and tasks._source_row = works._source_row
    left join plan
        on tasks.year = plan.year
        and tasks.subject = plan.subject
        and tasks.grade = plan.grade
        and tasks.task = plan.task

)

select * from final
