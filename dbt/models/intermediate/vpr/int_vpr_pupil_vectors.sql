-- One row per pupil x work with a fingerprint of the pupil's vector of task scores (M5).
-- The fingerprint is the sum of hash(task, score) over the pupil's tasks, X (null) encoded as -1:
-- order-independent, so no sort per pupil, and two pupils of a work get the same fingerprint
-- exactly when every task cell agrees (up to a 64-bit hash collision).
with task_scores as (

    select * from {{ ref('int_vpr_task_scores') }}

),

final as (

    select
        pupil_work_id,
        -- summed as decimal(38, 0): a sum of 64-bit hashes overflows bigint (an error on Spark)
        sum(cast({{ row_hash(['task', 'coalesce(score, -1)']) }} as decimal(38, 0))) as vector_hash,
        count(*) as tasks
    from task_scores
    group by pupil_work_id

)

select * from final
