-- Fact `gia_participant` of the indicator catalogue: one row per exam, year, category and
-- participant (any row, any status), at the school and municipality of the participant's
-- latest sitting (Дата экзамена) in that year — participant-level indicators (R04, R05,
-- P01–P08) count each participant once, there. Ties on the date prefer a counted sitting,
-- then the higher Код ОО (deterministic).
--   choices               'ЕГЭ:2', 'ОГЭ:3' … — form:subject the participant has any row for
--   has_counted_ege       a counted (Явка) ЕГЭ sitting
--   max_ege_test_score    highest counted ЕГЭ test score (R04: >= 81)
--   lacks_mandatory       R05 (int_ind_gia11_mandatory); null for ГИА-9
--   p08_evaluable         ГИА-9 of Y−2 is present (ГИА-11 only), so P08 has a value
--   same_elective_oge_ege P08 (int_ind_p08_subject_continuity)
with sittings as (

    select
        *,
        coalesce(category, '') as participant_category
    from {{ ref('int_gia_results') }}
    where participant_id is not null

),

latest_sittings as (

    select
        exam,
        year,
        participant_category as category,
        participant_id,
        region_code,
        mo_code,
        school_code,
        exam_date as latest_exam_date
    from sittings
    qualify row_number() over (
        partition by exam, year, participant_category, participant_id
        order by exam_date desc nulls last, is_counted desc, school_code desc nulls last
    ) = 1

),

participant_results as (

    select
        exam,
        year,
        participant_category as category,
        participant_id,
        count(*) as sittings,
        coalesce(bool_or(is_counted and gia_form = 'ЕГЭ'), false)::integer as has_counted_ege,
        max(test_score) filter (where is_counted and gia_form = 'ЕГЭ') as max_ege_test_score
    from sittings
    group by all

),

choices as (

    select
        exam,
        year,
        category,
        participant_id,
        {{ sorted_list_agg("gia_form || ':' || subject_code") }} as choices
    from {{ ref('int_ind_gia_choices') }}
    group by all

),

mandatory as (

    select * from {{ ref('int_ind_gia11_mandatory') }}

),

continuity as (

    select * from {{ ref('int_ind_p08_subject_continuity') }}

),

final as (

    select
        latest_sittings.exam,
        latest_sittings.year,
        latest_sittings.category,
        latest_sittings.participant_id,
        latest_sittings.region_code,
        latest_sittings.mo_code,
        latest_sittings.school_code,
        latest_sittings.latest_exam_date,
        participant_results.sittings,
        choices.choices,
        participant_results.has_counted_ege,
        participant_results.max_ege_test_score,
        mandatory.lacks_mandatory,
        case when latest_sittings.exam = 'gia11' then (continuity.participant_id is not null)::integer end as p08_evaluable,
        continuity.has_oge_record,
        continuity.same_elective_oge_ege
    from latest_sittings
    inner join participant_results
        on latest_sittings.exam = participant_results.exam
        and latest_sittings.year = participant_results.year
        and latest_sittings.category = participant_results.category
        and latest_sittings.participant_id = participant_results.participant_id
    left join choices
        on latest_sittings.exam = choices.exam
        and latest_sittings.year = choices.year
        and latest_sittings.category = choices.category
        and latest_sittings.participant_id = choices.participant_id
    left join mandatory
        on latest_sittings.exam = 'gia11'
        and latest_sittings.year = mandatory.year
        and latest_sittings.category = mandatory.category
        and latest_sittings.participant_id = mandatory.participant_id
    left join continuity
        on latest_sittings.exam = 'gia11'
        and latest_sittings.year = continuity.year
        and latest_sittings.category = continuity.category
        and latest_sittings.participant_id = continuity.participant_id

)

select * from final
