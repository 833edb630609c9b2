-- Fact `gia_result` of the indicator catalogue: one row per ГИА result, i.e. the participant's
-- best counted sitting per exam, year, form and subject (int_gia_best_results: retakes count
-- once, with their best result), at the school and municipality on that sitting's own row.
-- below_min (R03): ЕГЭ test score < the year's minimum for the subject, or mark 2 for
-- Математика базовая (22); for ГВЭ/ОГЭ results, mark 2.
with best_results as (

    select * from {{ ref('int_gia_best_results') }}

),

min_scores as (

    select * from {{ ref('int_ind_ege_min_scores') }}

),

final as (

    select
        best_results.sitting_id,
        best_results.exam,
        best_results.year,
        best_results.participant_id,
        best_results.region_code,
        best_results.mo_code,
        best_results.school_code,
        best_results.category,
        best_results.gia_form,
        best_results.subject_code,
        best_results.exam_date,
        best_results.primary_score,
        best_results.test_score,
        best_results.mark,
        case when best_results.exam = 'gia11' and best_results.gia_form = 'ЕГЭ' then min_scores.min_score end as min_score,
        case
            when best_results.gia_form = 'ЕГЭ' and best_results.subject_code = 22
                then coalesce(best_results.mark = 2, false)
            when best_results.gia_form = 'ЕГЭ'
                then coalesce(best_results.test_score < min_scores.min_score, false)
            else coalesce(best_results.mark = 2, false)
        end::integer as below_min
    from best_results
    left join min_scores
        on best_results.exam = 'gia11'
        and best_results.year = min_scores.year
        and best_results.subject_code = min_scores.subject_code

)

select * from final
