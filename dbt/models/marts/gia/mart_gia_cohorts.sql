-- Cohorts (methodology, «Deficits» → «Cohorts»): per school and subject of the seed
-- gia_cohort_subjects, the share of «4» and «5» on ВПР grade 8 in Y−1 beside the share of «4»
-- and «5» on ОГЭ in Y (the same cohort, one year on), with both n. named = 1 when the gap exceeds
-- cohort_gap_pp with at least cohort_min_n participants on both (seed analysis_params): context
-- named beside M1 in the report, not a marker.
with cohort_subjects as (

    select * from {{ ref('gia_cohort_subjects') }}

),

params as (

    {{ seed_params('analysis_params', ['cohort_gap_pp', 'cohort_min_n']) }}

),

vpr as (

    select
        marks.year + 1 as year,
        marks.entity_code as school_code,
        cohort_subjects.gia_form,
        cohort_subjects.gia_subject_code,
        marks.participants,
        100.0e0 * (marks.mark4 + marks.mark5) / marks.participants as share_45
    from {{ ref('mart_vpr_marks') }} as marks
    inner join cohort_subjects
        on marks.work = concat('ВПР ', cohort_subjects.vpr_subject, ' ', cast(cohort_subjects.vpr_grade as string))
    where marks.level = 'school'
        and marks.participants > 0

),

gia as (

    select
        results.year,
        results.school_code,
        min(results.mo_code) as mo_code,
        results.gia_form,
        results.subject_code as gia_subject_code,
        count(*) as participants,
        100.0e0 * sum(case when results.mark >= 4 then 1 else 0 end) / count(*) as share_45
    from {{ ref('int_ind_gia_results') }} as results
    inner join cohort_subjects
        on results.gia_form = cohort_subjects.gia_form
        and results.subject_code = cohort_subjects.gia_subject_code
    where results.exam = 'gia9'
        and results.mark is not null
    group by results.year, results.school_code, results.gia_form, results.subject_code

),

final as (

    select
        gia.year,
        gia.mo_code,
        gia.school_code,
        gia.gia_form,
        gia.gia_subject_code as subject_code,
        vpr.participants as vpr_participants,
        vpr.share_45 as vpr_share_45,
        gia.participants as gia_participants,
        gia.share_45 as gia_share_45,
        vpr.share_45 - gia.share_45 as gap_pp,
        case
            when abs(vpr.share_45 - gia.share_45) > params.cohort_gap_pp
                and vpr.participants >= params.cohort_min_n
                and gia.participants >= params.cohort_min_n
                then 1
            else 0
        end as named
    from gia
    inner join vpr
        on gia.year = vpr.year
        and gia.school_code = vpr.school_code
        and gia.gia_form = vpr.gia_form
        and gia.gia_subject_code = vpr.gia_subject_code
    cross join params

)

select * from final
