-- The participant's result per exam, year, form and subject: the best counted sitting
-- (highest test score, else highest mark, else highest primary score; ties -> latest date).
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
                exam_date desc
        ) as best_rank
    from counted

)

select * except (best_rank) from ranked
where best_rank = 1
