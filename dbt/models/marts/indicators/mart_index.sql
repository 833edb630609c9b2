-- Composite index (methodology, «Composite index»), municipality and school rows only.
-- Per year, level and indicator, over the entities of that level with a value:
-- score = 100·(x − min)/(max − min), for ↓ indicators 100·(max − x)/(max − min); all equal → 50.
-- results_index = mean score over the R indicators the entity has (section results),
-- selfdetermination_index = mean over P (section selfdetermination); an entity with values for
-- fewer than half (seed indicator_settings, index_min_section_share) of a section's catalogue
-- indicators gets null for it. overall_index = mean of the directions it has. Every entity
-- with a value for any R/P indicator has a row.
with settings as (

    {{ indicator_settings(['index_min_section_share']) }}

),

indicators as (

    select * from {{ ref('fct_indicators') }}
    where level in ('municipality', 'school')

),

catalogue as (

    select * from {{ ref('indicator_catalogue') }}
    where section in ('results', 'selfdetermination')

),

section_sizes as (

    select
        section,
        count(*) as section_indicators
    from catalogue
    group by section

),

ranged as (

    select
        indicators.year,
        indicators.level,
        indicators.entity_code,
        indicators.indicator_code,
        indicators.value,
        catalogue.section,
        catalogue.direction,
        min(indicators.value) over level_indicator as min_value,
        max(indicators.value) over level_indicator as max_value
    from indicators
    inner join catalogue
        on indicators.indicator_code = catalogue.code
    window level_indicator as (partition by indicators.year, indicators.level, indicators.indicator_code)

),

scored as (

    select
        *,
        case
            when max_value = min_value then 50.0
            when direction = 'down' then 100.0e0 * (max_value - value) / (max_value - min_value)
            else 100.0e0 * (value - min_value) / (max_value - min_value)
        end as score
    from ranged

),

directions as (

    select
        scored.year,
        scored.level,
        scored.entity_code,
        scored.section,
        case
            when count(*) >= any_value(settings.index_min_section_share) * any_value(section_sizes.section_indicators)
                then {{ ordered_avg('scored.score', 'scored.indicator_code') }}  -- a fixed order: the same bits every run
        end as section_index
    from scored
    inner join section_sizes
        on scored.section = section_sizes.section
    cross join settings
    group by scored.year, scored.level, scored.entity_code, scored.section

),

final as (

    select
        year,
        level,
        entity_code,
        max(section_index) filter (where section = 'results') as results_index,
        max(section_index) filter (where section = 'selfdetermination') as selfdetermination_index,
        {{ ordered_avg('section_index', 'section') }} as overall_index
    from directions
    group by year, level, entity_code

)

select * from final
