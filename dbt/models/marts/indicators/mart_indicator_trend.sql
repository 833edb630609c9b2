-- The three-year trend of each indicator (methodology, «Dynamics over three years»), per year Y,
-- level and entity with values in Y−2, Y−1 and Y: a trend ('устойчивое улучшение' /
-- 'устойчивое ухудшение', direction-aware) when both consecutive changes go the same way and the
-- change from Y−2 to Y exceeds trend_se_multiplier (seed analysis_params, 2) times its standard
-- error (macro change_se); otherwise 'без устойчивой тенденции'.
with params as (

    {{ seed_params('analysis_params', ['trend_se_multiplier']) }}

),

indicators as (

    select * from {{ ref('fct_indicators') }}

),

catalogue as (

    select * from {{ ref('indicator_catalogue') }}

),

three_years as (

    select
        current_year.year,
        current_year.indicator_code,
        current_year.level,
        current_year.entity_code,
        catalogue.direction,
        two_back.value as value_y2,
        two_back.n_units as n_units_y2,
        one_back.value as value_y1,
        one_back.n_units as n_units_y1,
        current_year.value,
        current_year.n_units,
        current_year.value - two_back.value as change_2y,
        {{ change_se('current_year', 'two_back', 'catalogue.measure') }} as change_2y_se,
        sign(one_back.value - two_back.value) as first_step,
        sign(current_year.value - one_back.value) as second_step
    from indicators as current_year
    inner join catalogue
        on current_year.indicator_code = catalogue.code
    inner join indicators as one_back
        on current_year.indicator_code = one_back.indicator_code
        and current_year.level = one_back.level
        and current_year.entity_code = one_back.entity_code
        and current_year.year - 1 = one_back.year
    inner join indicators as two_back
        on current_year.indicator_code = two_back.indicator_code
        and current_year.level = two_back.level
        and current_year.entity_code = two_back.entity_code
        and current_year.year - 2 = two_back.year
    where current_year.value is not null
        and one_back.value is not null
        and two_back.value is not null

),

final as (

    select
        year,
        indicator_code,
        level,
        entity_code,
        value_y2,
        n_units_y2,
        value_y1,
        n_units_y1,
        value,
        n_units,
        change_2y,
        change_2y_se,
        case
            when first_step <> 0
                and first_step = second_step
                and change_2y_se is not null
                and abs(change_2y) > params.trend_se_multiplier * change_2y_se
                then case
                    when (change_2y > 0) = (direction = 'up') then 'устойчивое улучшение'
                    else 'устойчивое ухудшение'
                end
            else 'без устойчивой тенденции'
        end as trend_verdict
    from three_years
    cross join params

)

select * from final
