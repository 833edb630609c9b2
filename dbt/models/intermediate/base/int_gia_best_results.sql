-- The participant's result per exam, year, form and subject: the best counted sitting
-- (highest test score, else highest mark, else highest primary score; ties -> latest date,
-- then the higher Код ОО, class and stage).
-- Retakes therefore count once, with their best result, at the school on that sitting's row.
with counted as (

    select * from {{ ref('int_gia_results') }}
    where is_counted

),

ranked as (

    select
        *,
        row_number() over (
            partition by exam, year, participant_id, gia_form, subject_code
            order by
                test_score desc nulls last,
                mark desc nulls last,
                primary_score desc nulls last,
                exam_date desc,
                -- full ties (a sitting delivered twice): the same row on every run and engine,
                -- by the visible columns; sitting_id last (rows equal up to it are the same result)
                school_code desc nulls last,
                class_name desc nulls last,
                stage desc nulls last,
                is_changed_by_appeal desc,
                sitting_id
        ) as best_rank
    from counted

)

select * except (best_rank) from ranked
where best_rank = 1
