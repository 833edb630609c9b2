-- Every ГИА sitting (ГИА-11 and ГИА-9, any status) for years <= run_year, in one table.
-- is_counted: the result is valid (Статус = Явка). Non-Явка rows stay: they count as choices.
with gia11 as (

    select 'gia11' as exam, * from {{ ref('stg_gia11') }}

),

gia9 as (

    select 'gia9' as exam, * from {{ ref('stg_gia9') }}

),

unioned as (

    select * from gia11
    union all by name
    select * from gia9

),

final as (

    select
        hash(_load_id, _source_row) as sitting_id,
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
        status = 'Явка' as is_counted
    from unioned
    where year <= {{ var('run_year') }}

)

select * from final
