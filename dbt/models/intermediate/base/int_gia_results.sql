-- Every ГИА sitting (ГИА-11 and ГИА-9, any status) for years <= run_year, in one table, with
-- the appeals and re-checks applied (input contract §11): where int_gia_appeal_outcomes has an
-- outcome for the participant, subject and exam date, its primary score and its result replace
-- the protocol's before anything is computed — the test score of ЕГЭ, the mark of Математика
-- базовая, ГВЭ and ОГЭ. The raw layer keeps the original; so do the original_* columns here.
-- Every model downstream reads this one, never stg_gia11 / stg_gia9.
-- is_counted: the result is valid (Статус = Явка). Non-Явка rows stay: they count as choices.
with unioned as (

    select
        'gia11' as exam, year, participant_id, mo_code, school_code, category, class_name, gia_form,
        subject_code, stage, exam_date, primary_score, test_score, mark, status, _load_id, _source_row
    from {{ ref('stg_gia11') }}
    union all
    select
        'gia9' as exam, year, participant_id, mo_code, school_code, category, class_name, gia_form,
        subject_code, stage, exam_date, primary_score, test_score, mark, status, _load_id, _source_row
    from {{ ref('stg_gia9') }}

),

appealed as (

    select
        unioned.exam,
        unioned.year,
        unioned.participant_id,
        unioned.mo_code,
        unioned.school_code,
        unioned.category,
        unioned.class_name,
        unioned.gia_form,
        unioned.subject_code,
        unioned.stage,
        unioned.exam_date,
        unioned.primary_score as original_primary_score,
        unioned.test_score as original_test_score,
        unioned.mark as original_mark,
        unioned.status,
        unioned._load_id,
        unioned._source_row,
        outcomes.participant_id is not null and unioned.status = 'Явка' as is_appealed,
        outcomes.primary_score as appeal_primary_score,
        outcomes.score as appeal_score,
        -- the exam's own scale: a test score for ЕГЭ (not базовая), a mark otherwise
        unioned.exam = 'gia11' and unioned.gia_form = 'ЕГЭ' and unioned.subject_code <> 22 as scored_by_test
    from unioned
    left join {{ ref('int_gia_appeal_outcomes') }} as outcomes
        on unioned.participant_id = outcomes.participant_id
        and unioned.subject_code = outcomes.subject_code
        and unioned.exam_date = outcomes.exam_date

),

applied as (

    select
        *,
        case when is_appealed then coalesce(appeal_primary_score, original_primary_score)
             else original_primary_score end as primary_score,
        case when is_appealed and scored_by_test then coalesce(appeal_score, original_test_score)
             else original_test_score end as test_score,
        case when is_appealed and not scored_by_test then coalesce(appeal_score, original_mark)
             else original_mark end as mark
    from appealed

),

final as (

    select
        {{ row_hash(['_load_id', '_source_row']) }} as sitting_id,
        exam,
        year,
        participant_id,
        left(school_code, 2) as region_code,
        mo_code,
        school_code,
        category,
        class_name,
        gia_form,
        subject_code,
        stage,
        exam_date,
        primary_score,
        test_score,
        mark,
        status,
        status = 'Явка' as is_counted,
        is_appealed,
        is_appealed and (
            primary_score is distinct from original_primary_score
            or test_score is distinct from original_test_score
            or mark is distinct from original_mark
        ) as is_changed_by_appeal,
        original_primary_score,
        original_test_score,
        original_mark
    from applied
    where year <= {{ var('run_year') }}

)

select * from final
