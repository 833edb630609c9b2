-- Each indicator value beside the previous year's (Y−1) for the same level and entity, the
-- change and its standard error (macro change_se: binomial for shares, sample variances for
-- means), and a verdict that names a change only when it exceeds twice its standard error
-- (methodology, report section 2).
-- change_verdict: 'улучшение' / 'ухудшение' (taking the direction ↑/↓ into account) when
-- |change| > 2·SE (2 = seed indicator_settings, change_se_multiplier); otherwise
-- 'без существенных изменений'; null without a previous year.
with settings as (

    {{ indicator_settings(['change_se_multiplier']) }}

),

indicators as (

    select * from {{ ref('fct_indicators') }}

),

catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

paired as (

    select
        current_year.year,
        current_year.indicator_code,
        current_year.level,
        current_year.entity_code,
        current_year.value,
        current_year.n_units,
        previous_year.value as prev_value,
        previous_year.n_units as prev_n_units,
        current_year.value - previous_year.value as change,
        catalogue.measure,
        catalogue.direction,
        {{ change_se('current_year', 'previous_year', 'catalogue.measure') }} as change_se
    from indicators as current_year
    inner join catalogue
        on current_year.indicator_code = catalogue.code
    left join indicators as previous_year
        on current_year.indicator_code = previous_year.indicator_code
        and current_year.level = previous_year.level
        and current_year.entity_code = previous_year.entity_code
        and current_year.year - 1 = previous_year.year

),

final as (

    select
        year,
        indicator_code,
        level,
        entity_code,
        value,
        n_units,
        prev_value,
        prev_n_units,
        change,
        change_se,
        case
            when prev_value is null then null
            when change_se is not null and abs(change) > settings.change_se_multiplier * change_se then
                case
                    when (change > 0) = (direction = 'up') then 'улучшение'
                    else 'ухудшение'
                end
            else 'без существенных изменений'
        end as change_verdict
    from paired
    cross join settings

)

select * from final
