-- ВПР «Статистика по отметкам» per work for the region, each municipality and school, in one
-- grouped pass: participants = pupils with an Отметка; mark2..mark5 = pupils with that mark
-- (counts; a share is 100 · markN / participants).
with pupil_works as (

    select * from {{ ref('int_vpr_pupil_works') }}
    where mark is not null

),

final as (

    select
        year::integer as year,
        work,
        {{ entity_level_columns(['region', 'municipality', 'school']) }},
        count(*)::integer as participants,
        count(*) filter (where mark = 2)::integer as mark2,
        count(*) filter (where mark = 3)::integer as mark3,
        count(*) filter (where mark = 4)::integer as mark4,
        count(*) filter (where mark = 5)::integer as mark5
    from pupil_works
    group by {{ entity_grouping_sets(['year', 'work'], ['region', 'municipality', 'school']) }}

)

select * from final
