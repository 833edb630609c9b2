-- «Выполнение заданий группами участников» (region): completion of each task of a work by the
-- pupils with ВПР mark 2, 3, 4 and 5 (pooled Σ scores / Σ maxima over non-null cells).
-- participants = pupils of the mark group with a non-null cell for the task.
with task_scores as (

    select * from {{ ref('int_vpr_task_scores') }}
    where mark is not null

),

final as (

    select
        year::integer as year,
        work,
        task,
        mark::integer as mark,
        count(score)::integer as participants,
        (100.0e0 * sum(score) / sum(task_max) filter (where score is not null))::double as completion_pct
    from task_scores
    group by year, work, task, mark
    having count(score) > 0

)

select * from final
