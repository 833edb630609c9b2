-- НИКО: pupils at each «Уровень подготовки» per study (work = 'НИКО <Предмет> <класс>') for the
-- region, each municipality and school of the sample, in one grouped pass; participants = the
-- entity's pupils with a level, so a share is 100 · pupils / participants.
with niko_pupils as (

    select * from {{ ref('int_niko_pupils') }}
    where level_name is not null

),

level_counts as (

    select
        year,
        work,
        level_name,
        {{ entity_level_columns(['region', 'municipality', 'school']) }},
        count(*) as pupils
    from niko_pupils
    group by {{ entity_grouping_sets(['year', 'work', 'level_name'], ['region', 'municipality', 'school']) }}

),

final as (

    select
        year::integer as year,
        work,
        level,
        entity_code,
        level_name,
        pupils::integer as pupils,
        sum(pupils) over (partition by year, work, level, entity_code)::integer as participants
    from level_counts

)

select * from final
