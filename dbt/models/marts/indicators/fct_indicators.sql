-- One row per year, indicator, level and entity (region, municipality, school): the
-- indicator's numerator, denominator and value (shares and completion: 100 · numerator /
-- denominator; means: numerator = sum, denominator = count, value = mean), n_units (results,
-- participants or pupils behind the value, for suppression) and sum_squares (means: Σ x², for
-- the standard error in mart_indicator_dynamics). A value whose denominator is 0 has no row.
with components as (

    select * from {{ ref('int_indicator_components') }}

),

catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

levels as (

    select
        year,
        indicator_code,
        {{ indicator_level_columns() }},
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(sum_squares) as sum_squares,
        sum(n_units)::bigint as n_units
    from components
    group by {{ indicator_level_grouping_sets(['year', 'indicator_code']) }}

),

final as (

    select
        levels.year,
        levels.indicator_code,
        levels.level,
        levels.entity_code,
        levels.numerator,
        levels.denominator,
        {{ indicator_value('catalogue.measure', 'levels.numerator', 'levels.denominator') }} as value,
        levels.n_units,
        levels.sum_squares
    from levels
    inner join catalogue
        on levels.indicator_code = catalogue.code
    where levels.entity_code is not null
        and levels.denominator > 0

)

select * from final
