-- Every indicator per cluster of schools (Местность × type group × Транспортная доступность,
-- dim_schools.cluster_name): pooled, i.e. numerators and denominators summed over the cluster's
-- schools, value recomputed from the sums; n_units summed; schools = schools with a value.
with school_indicators as (

    select * from {{ ref('fct_indicators') }}
    where level = 'school'

),

schools as (

    select * from {{ ref('dim_schools') }}

),

catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

pooled as (

    select
        school_indicators.year,
        school_indicators.indicator_code,
        schools.cluster_name,
        sum(school_indicators.numerator) as numerator,
        sum(school_indicators.denominator) as denominator,
        sum(school_indicators.n_units)::bigint as n_units,
        count(*) as schools
    from school_indicators
    inner join schools
        on school_indicators.entity_code = schools.school_code
    where schools.cluster_name is not null
    group by all

),

final as (

    select
        pooled.year,
        pooled.indicator_code,
        pooled.cluster_name,
        pooled.numerator,
        pooled.denominator,
        {{ indicator_value('catalogue.measure', 'pooled.numerator', 'pooled.denominator') }} as value,
        pooled.n_units,
        pooled.schools
    from pooled
    inner join catalogue
        on pooled.indicator_code = catalogue.code

)

select * from final
