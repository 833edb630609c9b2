-- One row per measure of «Меры» (input contract §12) and school it reaches: a school-level (ОО)
-- measure reaches that school, a municipal (МО) one every school of the municipality in the
-- register. role (seed measure_types) says which part of the effectiveness analysis it feeds.
with measures as (

    select * from {{ ref('stg_measures') }}
    where year <= {{ var('run_year') }}

),

schools as (

    select * from {{ ref('dim_schools') }}

),

types as (

    select * from {{ ref('measure_types') }}

),

reached as (

    select
        measures.measure_id,
        measures.year,
        measures.level,
        measures.code,
        measures.measure,
        measures.work,
        measures.skill_codes,
        measures.start_date,
        measures.end_date,
        schools.school_code,
        schools.mo_code
    from measures
    inner join schools
        on (measures.level = 'ОО' and measures.code = schools.school_code)
        or (measures.level = 'МО' and measures.code = schools.mo_code)

),

final as (

    select
        reached.measure_id,
        reached.year,
        reached.level,
        reached.code,
        reached.measure,
        coalesce(types.role, 'general') as role,
        reached.work,
        reached.skill_codes,
        reached.start_date,
        reached.end_date,
        reached.school_code,
        reached.mo_code
    from reached
    left join types
        on reached.measure = types.measure

)

select * from final
