-- The level of each ГИА task from the «План ГИА» (methodology, «ГИА tasks and risk zones»), keyed
-- as the answer strings key the tasks (int_gia_task_school_sums): task N of the short-answer part is
-- 'К<N>'; the plan rows after the short part — tasks numbered above its length, or any criterion
-- row `NК<m>` — are the long-answer criteria in the order of N and m: 'Р1', 'Р2', …
-- The length of the short part is the longest short-answer string of that exam, year, form and
-- subject. A plan row beyond the answers gets a key no result has, and so stays unused.
with plan as (

    select * from {{ ref('stg_gia_task_plan') }}
    where year = {{ var('run_year') }}   -- as int_gia_task_school_sums: the published year

),

short_parts as (

    select
        exam,
        year,
        gia_form,
        subject_code,
        max(task_no) as short_tasks
    from {{ ref('int_gia_task_school_sums') }}
    where part = 'short'
    group by exam, year, gia_form, subject_code

),

placed as (

    select
        plan.exam,
        plan.year,
        plan.gia_form,
        plan.subject_code,
        plan.task,
        plan.task_no,
        plan.criterion,
        plan.task_max,
        plan.task_level,
        plan.skill_code,
        case
            when plan.criterion is null and plan.task_no <= coalesce(short_parts.short_tasks, 0) then 'short'
            else 'long'
        end as part
    from plan
    left join short_parts
        on plan.exam = short_parts.exam
        and plan.year = short_parts.year
        and plan.gia_form = short_parts.gia_form
        and plan.subject_code = short_parts.subject_code

),

final as (

    select
        exam,
        year,
        gia_form,
        subject_code,
        task as plan_task,
        part,
        case
            when part = 'short' then concat('К', cast(task_no as string))
            else concat('Р', cast(row_number() over (
                partition by exam, year, gia_form, subject_code, part
                order by task_no, coalesce(criterion, 0)
            ) as string))
        end as task_key,
        task_max,
        task_level,
        skill_code
    from placed

)

select * from final
