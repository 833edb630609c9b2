-- Each indicator value beside the previous year's (Y−1) for the same level and entity, the
-- change and its standard error, and a verdict that names a change only when it exceeds twice
-- its standard error (methodology, report section 2):
--   shares and completion (unit %): binomial, in percentage points,
--       SE = 100 · sqrt(p1(1−p1)/n1 + p0(1−p0)/n0), p = value / 100, n = n_units;
--   means (unit балл): SE = sqrt(s1²/n1 + s0²/n0) with the sample variances
--       s² = (Σx² − n·mean²) / (n − 1) (null when n < 2 in either year).
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
        case
            when previous_year.value is null then null
            when catalogue.measure = 'mean' then
                case when current_year.n_units >= 2 and previous_year.n_units >= 2 then
                    sqrt(
                        greatest(current_year.sum_squares - current_year.n_units * current_year.value ^ 2, 0)
                            / (current_year.n_units - 1) / current_year.n_units
                        + greatest(previous_year.sum_squares - previous_year.n_units * previous_year.value ^ 2, 0)
                            / (previous_year.n_units - 1) / previous_year.n_units
                    )
                end
            else 100.0 * sqrt(greatest(
                (current_year.value / 100.0) * (1 - current_year.value / 100.0) / current_year.n_units
                + (previous_year.value / 100.0) * (1 - previous_year.value / 100.0) / previous_year.n_units,
                0
            ))
        end as change_se,
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
        end as change_verdict,
    from paired
    cross join settings

)

select * from final
