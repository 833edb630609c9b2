-- Each cluster's completion of every ВПР task and every checked skill in the published year, pooled
-- over the cluster's schools (Σ scores / Σ maxima over non-null cells, as
-- int_vpr_priority_deficit_candidates pools it), for the school packs: one grouped pass,
-- key_kind 'task' (key = task) or 'skill' (key = Код умения).
with class_tasks as (

    select * from {{ ref('int_vpr_class_task_sums') }}
    where year = {{ var('run_year') }}

),

schools as (

    select school_code, cluster_name from {{ ref('dim_schools') }}

),

grouped as (

    select
        class_tasks.year,
        class_tasks.work,
        schools.cluster_name,
        class_tasks.task,
        class_tasks.skill_code,
        grouping(class_tasks.task) as by_skill,
        sum(class_tasks.score_sum) as score_sum,
        sum(class_tasks.max_sum) as max_sum
    from class_tasks
    inner join schools
        on class_tasks.school_code = schools.school_code
    group by grouping sets (
        (class_tasks.year, class_tasks.work, schools.cluster_name, class_tasks.task),
        (class_tasks.year, class_tasks.work, schools.cluster_name, class_tasks.skill_code)
    )

),

final as (

    select
        year,
        work,
        cluster_name,
        case when by_skill = 1 then 'skill' else 'task' end as key_kind,
        case when by_skill = 1 then skill_code else task end as key,
        100.0e0 * score_sum / max_sum as completion_pct
    from grouped
    where max_sum > 0
        and (by_skill = 0 or skill_code is not null)

)

select * from final
