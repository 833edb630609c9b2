-- Coverage of each procedure (report, «Введение»): per year, procedure and entity (region,
-- municipality, school), the participants, schools and municipalities.
-- ГИА (ЕГЭ, ГВЭ-11, ОГЭ, ГВЭ-9): distinct participants with a counted (Явка) sitting of the form,
-- at the school and municipality on the sitting's row. ВПР: pupil-works (Код участника is not
-- stable across works, so a pupil is counted once per work). НИКО: pupils of the sample
-- (schools by Логин ОО).
with gia_sittings as (

    select
        year,
        case
            when exam = 'gia11' and gia_form = 'ЕГЭ' then 'ЕГЭ'
            when exam = 'gia11' and gia_form = 'ГВЭ' then 'ГВЭ-11'
            when exam = 'gia9' and gia_form = 'ОГЭ' then 'ОГЭ'
            when exam = 'gia9' and gia_form = 'ГВЭ' then 'ГВЭ-9'
        end as procedure,
        region_code,
        mo_code,
        school_code,
        participant_id
    from {{ ref('int_gia_results') }}
    where is_counted

),

gia_coverage as (

    select
        year,
        procedure,
        {{ indicator_level_columns() }},
        count(distinct participant_id) as participants,
        count(distinct school_code) as schools,
        count(distinct mo_code) as municipalities
    from gia_sittings
    where procedure is not null
    group by {{ indicator_level_grouping_sets(['year', 'procedure']) }}

),

assessment_pupils as (

    select
        year,
        'ВПР' as procedure,
        region_code,
        mo_code,
        school_code
    from {{ ref('int_vpr_pupil_works') }}

    union all

    select
        niko_results.year,
        'НИКО' as procedure,
        schools.region_code,
        schools.mo_code,
        schools.school_code
    from {{ ref('stg_niko_results') }} as niko_results
    inner join {{ ref('dim_schools') }} as schools
        on niko_results.school_login = schools.school_login
    where niko_results.year <= {{ var('run_year') }}

),

assessment_coverage as (

    select
        year,
        procedure,
        {{ indicator_level_columns() }},
        count(*) as participants,
        count(distinct school_code) as schools,
        count(distinct mo_code) as municipalities
    from assessment_pupils
    group by {{ indicator_level_grouping_sets(['year', 'procedure']) }}

),

final as (

    select * from gia_coverage
    union all
    select * from assessment_coverage

)

select * from final
where entity_code is not null
