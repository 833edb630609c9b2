-- School packs, per pupil (methodology, «School packs»): one row per pupil × ВПР work of the
-- published year, by the pseudonymous Код участника and class (the warehouse holds no names), with
-- the mark, the journal mark and what the pupil has not mastered — what a school builds an
-- individual route from:
--   a task is not mastered when the pupil's score on it is below pupil_mastery_share (seed
--   pack_params, 0.5) of its maximum; a skill when the pupil's Σ scores over the skill's tasks is
--   below that share of their Σ maxima. X cells (null: not checked) count for neither.
-- Lists are in the order of the task plan (tasks without a plan row last, by their label).
-- A pupil-work without any task cell still has its row, with empty lists.
with params as (

    {{ seed_params('pack_params', ['pupil_mastery_share']) }}

),

pupil_works as (

    select * from {{ ref('int_vpr_pupil_works') }}
    where year = {{ var('run_year') }}

),

task_scores as (

    select * from {{ ref('int_vpr_task_scores') }}
    where year = {{ var('run_year') }}
        and score is not null

),

plan_order as (

    select
        year,
        subject,
        grade,
        task,
        min(_source_row) as plan_row
    from {{ ref('stg_vpr_plan') }}
    where year = {{ var('run_year') }}
    group by year, subject, grade, task

),

cells as (

    select
        task_scores.pupil_work_id,
        task_scores.task,
        task_scores.skill_code,
        task_scores.score,
        task_scores.task_max,
        coalesce(plan_order.plan_row, 1000000) as plan_row
    from task_scores
    left join plan_order
        on task_scores.year = plan_order.year
        and task_scores.subject = plan_order.subject
        and task_scores.grade = plan_order.grade
        and task_scores.task = plan_order.task

),

task_summary as (

    select
        cells.pupil_work_id,
        count(*) as tasks_scored,
        sum(case when cells.score < params.pupil_mastery_share * cells.task_max then 1 else 0 end)
            as tasks_not_mastered,
        {{ ordered_string_agg(
            'case when cells.score < params.pupil_mastery_share * cells.task_max then cells.task end',
            ', ', 'cells.plan_row, cells.task'
        ) }} as tasks_not_mastered_list
    from cells
    cross join params
    group by cells.pupil_work_id

),

pupil_skills as (

    select
        pupil_work_id,
        skill_code,
        sum(score) as score_sum,
        sum(task_max) as max_sum,
        min(plan_row) as plan_row
    from cells
    where skill_code is not null
    group by pupil_work_id, skill_code

),

skill_summary as (

    select
        pupil_skills.pupil_work_id,
        count(*) as skills_scored,
        sum(case when pupil_skills.score_sum < params.pupil_mastery_share * pupil_skills.max_sum then 1 else 0 end)
            as skills_not_mastered,
        {{ ordered_string_agg(
            'case when pupil_skills.score_sum < params.pupil_mastery_share * pupil_skills.max_sum then pupil_skills.skill_code end',
            ', ', 'pupil_skills.plan_row, pupil_skills.skill_code'
        ) }} as skills_not_mastered_list
    from pupil_skills
    cross join params
    where pupil_skills.max_sum > 0
    group by pupil_skills.pupil_work_id

),

final as (

    select
        pupil_works.pupil_work_id,
        cast(pupil_works.year as integer) as year,
        pupil_works.work,
        pupil_works.mo_code,
        pupil_works.school_code,
        pupil_works.class_name,
        pupil_works.class_key,
        pupil_works.participant_code,
        pupil_works.variant,
        pupil_works.primary_score,
        pupil_works.work_max,
        pupil_works.mark,
        pupil_works.journal_mark,
        cast(coalesce(task_summary.tasks_scored, 0) as integer) as tasks_scored,
        cast(coalesce(task_summary.tasks_not_mastered, 0) as integer) as tasks_not_mastered,
        task_summary.tasks_not_mastered_list,
        cast(coalesce(skill_summary.skills_scored, 0) as integer) as skills_scored,
        cast(coalesce(skill_summary.skills_not_mastered, 0) as integer) as skills_not_mastered,
        skill_summary.skills_not_mastered_list
    from pupil_works
    left join task_summary
        on pupil_works.pupil_work_id = task_summary.pupil_work_id
    left join skill_summary
        on pupil_works.pupil_work_id = skill_summary.pupil_work_id

)

select * from final
