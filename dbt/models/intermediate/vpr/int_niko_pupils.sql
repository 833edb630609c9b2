-- One row per НИКО participant (years <= run_year), joined to the school register by Логин ОО.
with results as (

    select * from {{ ref('stg_niko_results') }}
    where year <= {{ var('run_year') }}

),

schools as (

    select * from {{ ref('dim_schools') }}

),

final as (

    select
        results.year,
        results.subject,
        results.grade,
        'НИКО ' || results.subject || ' ' || results.grade as work,
        schools.region_code,
        schools.mo_code,
        schools.school_code,
        results.school_login,
        results.class_name,
        schools.school_code || '/' || results.class_name as class_key,
        results.participant_code,
        results.primary_score,
        results.level_name
    from results
    inner join schools
        on results.school_login = schools.school_login

)

select * from final
