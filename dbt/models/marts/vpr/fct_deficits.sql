-- ВПР task completion and deficits per work for the region, each municipality, school and class
-- (entity_code of a class = '<Код ОО>/<Класс>'), one row per task and group of any size.
-- completion_pct = 100 · Σ scores / Σ maxima over the group's non-null cells; participants =
-- pupils with a non-null cell for the task; group_pupils = pupils of the group who sat the work.
-- zone by ФИОКО: дефицит below deficit_below (57 % Б / 28.5 % П), достаточное from sufficient_from
-- (60 % / 30 %), неустойчивое in between (seed vpr_deficit_zones); deficit = 1 only for a дефицит
-- in a group of >= min_group_pupils (10). A group whose cells for the task are all X has no row.
-- priority = 1 for a deficit of a school or class that int_vpr_priority_deficit_candidates finds
-- far and significantly below the region (and, for a school, below its cluster).
with class_task_sums as (

    select * from {{ ref('int_vpr_class_task_sums') }}

),

zones as (

    select * from {{ ref('vpr_deficit_zones') }}

),

task_groups as (

    select
        year,
        work,
        task,
        task_level,
        skill_code,
        {{ entity_level_columns(['region', 'municipality', 'school', 'class']) }},
        sum(participants) as participants,
        sum(score_sum) as score_sum,
        sum(max_sum) as max_sum,
        sum(class_pupils) as group_pupils
    from class_task_sums
    group by {{ entity_grouping_sets(
        ['year', 'work', 'task', 'task_level', 'skill_code'],
        ['region', 'municipality', 'school', 'class']
    ) }}

),

completions as (

    select
        task_groups.year,
        task_groups.work,
        task_groups.level,
        task_groups.entity_code,
        task_groups.task,
        task_groups.skill_code,
        task_groups.participants,
        100.0e0 * task_groups.score_sum / task_groups.max_sum as completion_pct,
        task_groups.task_level as level_of_task,
        task_groups.group_pupils,
        zones.deficit_below,
        zones.sufficient_from,
        zones.min_group_pupils
    from task_groups
    left join zones
        on task_groups.task_level = zones.level_of_task
    where task_groups.max_sum > 0

),

final as (

    select
        year::integer as year,
        work,
        level,
        entity_code,
        task,
        skill_code,
        participants::integer as participants,
        completion_pct::double as completion_pct,
        level_of_task,
        coalesce(
            completion_pct < deficit_below and group_pupils >= min_group_pupils,
            false
        )::integer as deficit,
        case
            when completion_pct < deficit_below then 'дефицит'
            when completion_pct >= sufficient_from then 'достаточное'
            when deficit_below is not null then 'неустойчивое'
        end as zone,
        group_pupils::integer as group_pupils
    from completions

),

priority_candidates as (

    select * from {{ ref('int_vpr_priority_deficit_candidates') }}
    where candidate

),

with_priority as (

    select
        final.*,
        case
            when final.deficit = 1 and priority_candidates.candidate then 1
            else 0
        end as priority
    from final
    left join priority_candidates
        on final.year = priority_candidates.year
        and final.work = priority_candidates.work
        and final.level = priority_candidates.level
        and final.entity_code = priority_candidates.entity_code
        and final.task = priority_candidates.task

)

select * from with_priority
