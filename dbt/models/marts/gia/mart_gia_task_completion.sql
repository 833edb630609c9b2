-- ГИА task completion (methodology, «ГИА tasks and risk zones»), per exam, year, form, subject and
-- task, for the region, each municipality and school, over all counted results (score_group
-- 'all') and per score group. completion_pct = 100 · Σ scores / Σ max.
-- task_level: the task's level Б/П/В from the «План ГИА» (int_gia_task_levels), null without one.
-- risk_rule says which rule decided risk_zone:
-- 'plan' (the task has a level): in every row, the task is in the risk zone of that group when
--   the group's own completion is below gia_risk_basic_pct (level Б) or gia_risk_high_pct (П, В);
--   the reference columns are then the row's own participants and completion;
-- 'no_plan' (rows of score_group 'all' only): the task is in the risk zone of a group when the
--   completion of that group's reference score group — «минимальный–60» for ЕГЭ with test scores,
--   mark 3 otherwise — is below gia_risk_below_pct; null when that score group has no results.
-- All three thresholds are rows of seed analysis_params.
with school_sums as (

    select * from {{ ref('int_gia_task_school_sums') }}

),

task_scores as (

    -- per school: the rows with a positive maximum, a row without one taking the highest score
    -- seen for the task over all schools (int_gia_task_school_sums)
    select
        exam,
        year,
        gia_form,
        subject_code,
        region_code,
        mo_code,
        school_code,
        score_group,
        part,
        task_no,
        task_key,
        given_rows + case when task_seen_max > 0 then open_rows else 0 end as task_rows,
        given_score_sum + case when task_seen_max > 0 then open_score_sum else 0 end as score_sum,
        given_max_sum + case when task_seen_max > 0 then open_rows * task_seen_max else 0 end as max_sum
    from (
        select
            *,
            max(seen_max) over (partition by exam, year, gia_form, subject_code, part, task_no) as task_seen_max
        from school_sums
    ) as with_seen_max

),

params as (

    {{ seed_params('analysis_params', ['gia_risk_below_pct', 'gia_risk_basic_pct', 'gia_risk_high_pct']) }}

),

grouped as (

    select
        exam,
        year,
        gia_form,
        subject_code,
        part,
        task_no,
        task_key,
        coalesce(score_group, 'all') as score_group,
        grouping(score_group) as is_all_groups,
        {{ entity_level_columns(['region', 'municipality', 'school']) }},
        sum(task_rows) as participants,
        sum(score_sum) as score_sum,
        sum(max_sum) as max_sum
    from task_scores
    where task_rows > 0
    group by
        exam, year, gia_form, subject_code, part, task_no, task_key,
        cube(score_group),
        {{ entity_grouping_sets([], ['region', 'municipality', 'school']) }}

),

completions as (

    select
        exam,
        year,
        gia_form,
        subject_code,
        level,
        entity_code,
        case when is_all_groups = 1 then 'all' else score_group end as score_group,
        part,
        task_no,
        task_key,
        participants,
        score_sum,
        max_sum,
        100.0e0 * score_sum / max_sum as completion_pct
    from grouped
    where is_all_groups = 1 or score_group is not null

),

reference_groups as (

    select
        exam,
        year,
        gia_form,
        subject_code,
        level,
        entity_code,
        task_key,
        participants as reference_participants,
        completion_pct as reference_completion_pct
    from completions
    where score_group = case
            when gia_form = 'ЕГЭ' and subject_code <> 22 then 'min_60'
            else 'mark3'
        end

),

final as (

    select
        completions.exam,
        completions.year,
        completions.gia_form,
        completions.subject_code,
        case when completions.exam = 'gia9' then subjects.subject_name_gia9 else subjects.subject_name end
            as subject_name,
        completions.level,
        completions.entity_code,
        completions.score_group,
        completions.part,
        completions.task_no,
        completions.task_key,
        completions.participants,
        completions.score_sum,
        completions.max_sum,
        completions.completion_pct,
        levels.task_level,
        case when levels.task_level is not null then 'plan' else 'no_plan' end as risk_rule,
        case
            when levels.task_level is not null then completions.participants
            when completions.score_group = 'all' then reference_groups.reference_participants
        end as reference_participants,
        case
            when levels.task_level is not null then completions.completion_pct
            when completions.score_group = 'all' then reference_groups.reference_completion_pct
        end as reference_completion_pct,
        case
            when levels.task_level is not null then
                case
                    when completions.completion_pct < case
                            when levels.task_level = 'Б' then params.gia_risk_basic_pct
                            else params.gia_risk_high_pct
                        end
                        then 1
                    else 0
                end
            when completions.score_group <> 'all' or reference_groups.reference_completion_pct is null
                then null
            when reference_groups.reference_completion_pct < params.gia_risk_below_pct then 1
            else 0
        end as risk_zone
    from completions
    cross join params
    left join {{ ref('int_gia_task_levels') }} as levels
        on completions.exam = levels.exam
        and completions.year = levels.year
        and completions.gia_form = levels.gia_form
        and completions.subject_code = levels.subject_code
        and completions.task_key = levels.task_key
    left join reference_groups
        on completions.exam = reference_groups.exam
        and completions.year = reference_groups.year
        and completions.gia_form = reference_groups.gia_form
        and completions.subject_code = reference_groups.subject_code
        and completions.level = reference_groups.level
        and completions.entity_code = reference_groups.entity_code
        and completions.task_key = reference_groups.task_key
    left join {{ ref('subjects') }} as subjects
        on completions.subject_code = subjects.subject_code

)

select * from final
