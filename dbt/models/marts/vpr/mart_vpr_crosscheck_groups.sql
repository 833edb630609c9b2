-- The cross-check per form row (what vpr_crosscheck.csv aggregates, and what names the groups
-- that disagree in the ledger message of a form's file): every region / municipality / school row of the ФИС ОКО aggregate forms
-- against what the pipeline computed from the individual results (mart_vpr_marks,
-- mart_vpr_journal). Counts must be equal, shares within 0.01 percentage points.
-- «Статистика»: participants and the shares of marks 2..5 (base: pupils with an Отметка).
-- «Сравнение»: the three category counts and shares (base: pupils with both marks, which is the
-- form's «Кол-во участников(всего)»).
-- One row per (year, work, level, entity); a group the register does not know keeps its form
-- name as entity_code in `group_name` and an empty entity_code (it cannot agree).
with groups as (

    select * from {{ ref('int_vpr_form_groups') }}
    where level <> 'russia'

),

marks as (

    select * from {{ ref('mart_vpr_marks') }}

),

journal as (

    select * from {{ ref('mart_vpr_journal') }}

),

compared as (

    select
        groups.year,
        groups.work,
        groups.form,
        groups.level,
        groups.entity_code,
        groups.group_name,
        groups._source_file,
        groups.participants as delivered_participants,
        coalesce(case when groups.form = 'marks' then marks.participants else journal.participants end, 0)
            as computed_participants,
        case when groups.form = 'marks' then
            greatest(
                abs(coalesce(groups.mark2, 0) - coalesce(cast(marks.mark2 as double) * 100 / nullif(marks.participants, 0), 0)),
                abs(coalesce(groups.mark3, 0) - coalesce(cast(marks.mark3 as double) * 100 / nullif(marks.participants, 0), 0)),
                abs(coalesce(groups.mark4, 0) - coalesce(cast(marks.mark4 as double) * 100 / nullif(marks.participants, 0), 0)),
                abs(coalesce(groups.mark5, 0) - coalesce(cast(marks.mark5 as double) * 100 / nullif(marks.participants, 0), 0))
            )
        else
            greatest(
                abs(coalesce(groups.lowered_pct, 0) - coalesce(cast(journal.lowered as double) * 100 / nullif(journal.participants, 0), 0)),
                abs(coalesce(groups.confirmed_pct, 0) - coalesce(cast(journal.confirmed as double) * 100 / nullif(journal.participants, 0), 0)),
                abs(coalesce(groups.raised_pct, 0) - coalesce(cast(journal.raised as double) * 100 / nullif(journal.participants, 0), 0))
            )
        end as share_diff,
        case when groups.form = 'marks' then 0
            else abs(coalesce(groups.lowered, 0) - coalesce(journal.lowered, 0))
                + abs(coalesce(groups.confirmed, 0) - coalesce(journal.confirmed, 0))
                + abs(coalesce(groups.raised, 0) - coalesce(journal.raised, 0))
        end as category_count_diff
    from groups
    left join marks
        on groups.form = 'marks'
        and groups.year = marks.year
        and groups.work = marks.work
        and groups.level = marks.level
        and groups.entity_code = marks.entity_code
    left join journal
        on groups.form = 'journal'
        and groups.year = journal.year
        and groups.work = journal.work
        and groups.level = journal.level
        and groups.entity_code = journal.entity_code

),

flagged as (

    select
        *,
        case
            when entity_code is not null
                and coalesce(delivered_participants, -1) = computed_participants
                and category_count_diff = 0
                and share_diff <= 0.01 + 1e-9
                then 1
            else 0
        end as row_agrees
    from compared

)

select * from flagged
