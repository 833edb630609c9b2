-- ВПР «Сравнение отметок с отметками по журналу» per work for the region, each municipality and
-- school, in one grouped pass, over pupils with both marks: lowered = ВПР mark < journal mark
-- («понизили»), confirmed = equal («подтвердили»), raised = ВПР mark > journal mark («повысили»).
-- Counts; a share is 100 · count / participants.
with pupil_works as (

    select * from {{ ref('int_vpr_pupil_works') }}
    where mark is not null
        and journal_mark is not null

),

final as (

    select
        year::integer as year,
        work,
        {{ entity_level_columns(['region', 'municipality', 'school']) }},
        count(*)::integer as participants,
        count(*) filter (where mark < journal_mark)::integer as lowered,
        count(*) filter (where mark = journal_mark)::integer as confirmed,
        count(*) filter (where mark > journal_mark)::integer as raised
    from pupil_works
    group by {{ entity_grouping_sets(['year', 'work'], ['region', 'municipality', 'school']) }}

)

select * from final
