-- vpr_crosscheck.csv: one row per (year, work, level, entity) of the ФИС ОКО aggregate forms,
-- from mart_vpr_crosscheck_groups: delivered participants («Статистика по отметкам», else
-- «Сравнение»), computed participants, the largest share difference over both forms (p.p.),
-- agrees = 1 when every form row of the group agrees. A group the register does not know keeps
-- an empty entity_code (and never agrees).
with group_rows as (

    select * from {{ ref('mart_vpr_crosscheck_groups') }}

),

final as (


    select
        year,
        work,
        level,
        entity_code,
        min(group_name) as group_name,
        min(_source_file) as source_file,
        max(case when form = 'marks' then delivered_participants end) as delivered_participants_marks,
        max(case when form = 'journal' then delivered_participants end) as delivered_participants_journal,
        coalesce(max(case when form = 'marks' then delivered_participants end),
                 max(delivered_participants)) as delivered_participants,
        coalesce(max(case when form = 'marks' then computed_participants end),
                 max(computed_participants)) as computed_participants,
        max(share_diff) as max_share_diff,
        min(row_agrees) as agrees
    from group_rows
    group by year, work, level, entity_code, case when entity_code is null then group_name end

)

select * from final
