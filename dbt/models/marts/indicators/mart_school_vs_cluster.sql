-- Each school's indicator value beside its cluster's pooled value (the methodology compares a
-- school with its cluster, never in a league table of schools).
with school_indicators as (

    select * from {{ ref('fct_indicators') }}
    where level = 'school'

),

schools as (

    select * from {{ ref('dim_schools') }}

),

clusters as (

    select * from {{ ref('mart_cluster_indicators') }}

),

final as (

    select
        school_indicators.year,
        school_indicators.indicator_code,
        school_indicators.entity_code as school_code,
        schools.cluster_name,
        school_indicators.value as school_value,
        school_indicators.n_units as school_n_units,
        clusters.value as cluster_value,
        clusters.n_units as cluster_n_units
    from school_indicators
    inner join schools
        on school_indicators.entity_code = schools.school_code
    inner join clusters
        on school_indicators.year = clusters.year
        and school_indicators.indicator_code = clusters.indicator_code
        and schools.cluster_name = clusters.cluster_name

)

select * from final
