-- The outcome of the appeals and re-checks of one ГИА result (input contract §11): per
-- participant, subject and exam date, the latest row whose result replaces the original (a
-- satisfied appeal or a completed re-check; ingestion sets `replaces`). A rejected or withdrawn
-- appeal replaces nothing, so it leaves the result as the earlier outcome (or the protocol) set it.
-- "Latest" is the date of the change, else of the submission; a later delivery breaks a tie.
-- `score` is the result in the exam's own scale: the test score of ЕГЭ, the mark (2–5) of
-- Математика базовая, ГВЭ and ОГЭ; int_gia_results decides which column it replaces.
with ranked as (

    select
        participant_id,
        subject_code,
        exam_date,
        primary_score,
        score,
        coalesce(changed_at, sent_at) as decided_at,
        appeal_type,
        count(*) over (partition by participant_id, subject_code, exam_date) as n_replacing,
        row_number() over (
            partition by participant_id, subject_code, exam_date
            order by coalesce(changed_at, sent_at) desc nulls last, sent_at desc nulls last,
                _loaded_at desc, _source_row desc
        ) as outcome_rank
    from {{ ref('stg_gia_appeals') }}
    where replaces
        and participant_id is not null
        and subject_code is not null
        and exam_date is not null

)

select
    participant_id,
    subject_code,
    exam_date,
    primary_score,
    score,
    decided_at,
    appeal_type,
    n_replacing
from ranked
where outcome_rank = 1
