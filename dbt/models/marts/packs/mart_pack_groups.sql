-- School packs (methodology, «School packs»): «Статистика по отметкам» and the comparison with the
-- journal per ВПР work for each school and each of its classes, for the published year only (a
-- pack is the school's view of year Y; earlier years are in the public report's dynamics).
-- pupils = pupil-works loaded for the group; participants = those with an Отметка; mark2..mark5 =
-- pupils with that mark; journal_participants = pupils with both marks, of whom lowered (ВПР mark
-- below the journal's), confirmed (equal) and raised (above). Not suppressed: a pack goes to the
-- school itself, never to public/.
with pupil_works as (

    select * from {{ ref('int_vpr_pupil_works') }}
    where year = {{ var('run_year') }}

),

grouped as (

    select
        year,
        work,
        mo_code,
        school_code,
        class_key,
        class_name,
        grouping(class_key) as is_school,
        count(*) as pupils,
        count(mark) as participants,
        sum(case when mark = 2 then 1 else 0 end) as mark2,
        sum(case when mark = 3 then 1 else 0 end) as mark3,
        sum(case when mark = 4 then 1 else 0 end) as mark4,
        sum(case when mark = 5 then 1 else 0 end) as mark5,
        sum(case when mark is not null and journal_mark is not null then 1 else 0 end) as journal_participants,
        sum(case when mark < journal_mark then 1 else 0 end) as lowered,
        sum(case when mark = journal_mark then 1 else 0 end) as confirmed,
        sum(case when mark > journal_mark then 1 else 0 end) as raised
    from pupil_works
    group by grouping sets (
        (year, work, mo_code, school_code),
        (year, work, mo_code, school_code, class_key, class_name)
    )

),

final as (

    select
        cast(year as integer) as year,
        work,
        mo_code,
        school_code,
        case when is_school = 1 then 'school' else 'class' end as level,
        case when is_school = 1 then school_code else class_key end as entity_code,
        class_name,
        cast(pupils as integer) as pupils,
        cast(participants as integer) as participants,
        cast(mark2 as integer) as mark2,
        cast(mark3 as integer) as mark3,
        cast(mark4 as integer) as mark4,
        cast(mark5 as integer) as mark5,
        cast(journal_participants as integer) as journal_participants,
        cast(lowered as integer) as lowered,
        cast(confirmed as integer) as confirmed,
        cast(raised as integer) as raised
    from grouped

)

select * from final
