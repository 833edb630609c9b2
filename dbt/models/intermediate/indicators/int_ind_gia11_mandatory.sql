-- R05: per ГИА-11 participant (year, category), whether a counted sitting gives a satisfactory
-- result in the compulsory subjects (methodology, R05):
--   Russian:      ЕГЭ subject 1 test score >= minimum (24 by default) or ГВЭ subject 1 mark >= 3;
--   mathematics:  ЕГЭ subject 22 mark >= 3, ЕГЭ subject 2 test score >= minimum (27 by default),
--                 or ГВЭ subject 2 mark >= 3.
-- The minimum scores are the same table as R03's (int_ind_ege_min_scores).
-- lacks_mandatory = 1 when either subject lacks a satisfactory result; participants with only
-- non-counted rows (Неявка …) are in the table and lack both.
with sittings as (

    select * from {{ ref('int_gia_results') }}
    where exam = 'gia11'
        and participant_id is not null

),

min_scores as (

    select * from {{ ref('int_ind_ege_min_scores') }}

),

judged as (

    select
        sittings.year,
        coalesce(sittings.category, '') as category,
        sittings.participant_id,
        sittings.is_counted and (
            (sittings.gia_form = 'ЕГЭ' and sittings.subject_code = 1 and sittings.test_score >= min_scores.min_score)
            or (sittings.gia_form = 'ГВЭ' and sittings.subject_code = 1 and sittings.mark >= 3)
        ) as is_russian_ok,
        sittings.is_counted and (
            (sittings.gia_form = 'ЕГЭ' and sittings.subject_code = 22 and sittings.mark >= 3)
            or (sittings.gia_form = 'ЕГЭ' and sittings.subject_code = 2 and sittings.test_score >= min_scores.min_score)
            or (sittings.gia_form = 'ГВЭ' and sittings.subject_code = 2 and sittings.mark >= 3)
        ) as is_maths_ok
    from sittings
    left join min_scores
        on sittings.year = min_scores.year
        and sittings.subject_code = min_scores.subject_code

),

final as (

    select
        year,
        category,
        participant_id,
        coalesce(bool_or(is_russian_ok), false) as russian_ok,
        coalesce(bool_or(is_maths_ok), false) as maths_ok,
        (not (coalesce(bool_or(is_russian_ok), false) and coalesce(bool_or(is_maths_ok), false)))::integer as lacks_mandatory
    from judged
    group by all

)

select * from final
