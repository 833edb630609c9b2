-- Tasks on which a school or a class is far and significantly below the region (methodology,
-- «Priority deficits»): the conditions of a priority deficit other than the ФИОКО deficit itself,
-- which fct_deficits adds (priority = deficit and candidate).
--   gap_pp = region's completion − group's completion, percentage points; kept only when
--            >= priority_min_gap_pp (10), so the table stays small;
--   z = (p_region − p_group) / sqrt(p_region (1 − p_region) / n), n = the group's participants
--       (pupils with a non-null cell), p = pooled completion Σ scores / Σ maxima;
--   p_value = P(Z >= z) (normal approximation, one-sided); p_bonferroni = p_value × the number of
--       tasks of the work (Bonferroni within the school × work), capped at 1; significant when
--       p_bonferroni < priority_alpha (0.05);
--   a school must also be below its cluster's pooled completion of the task (cluster of
--       dim_schools, all its schools pooled); a class needs the first two conditions only.
-- Completions roll up from int_vpr_class_task_sums by sums, as in fct_deficits, so they agree.
with params as (

    {{ seed_params('analysis_params', ['priority_min_gap_pp', 'priority_alpha']) }}

),

class_tasks as (

    select * from {{ ref('int_vpr_class_task_sums') }}

),

schools as (

    select school_code, cluster_name from {{ ref('dim_schools') }}

),

region_tasks as (

    select
        year,
        work,
        task,
        sum(score_sum) as score_sum,
        sum(max_sum) as max_sum
    from class_tasks
    group by year, work, task

),

work_tasks as (

    select
        year,
        work,
        count(*) as work_tasks
    from region_tasks
    where max_sum > 0
    group by year, work

),

school_tasks as (

    select
        year,
        work,
        school_code,
        task,
        sum(participants) as participants,
        sum(score_sum) as score_sum,
        sum(max_sum) as max_sum
    from class_tasks
    group by year, work, school_code, task

),

cluster_tasks as (

    select
        school_tasks.year,
        school_tasks.work,
        schools.cluster_name,
        school_tasks.task,
        sum(school_tasks.score_sum) as score_sum,
        sum(school_tasks.max_sum) as max_sum
    from school_tasks
    inner join schools
        on school_tasks.school_code = schools.school_code
    group by school_tasks.year, school_tasks.work, schools.cluster_name, school_tasks.task

),

groups as (

    select
        year,
        work,
        'school' as level,
        school_code as entity_code,
        school_code,
        task,
        participants,
        score_sum,
        max_sum
    from school_tasks

    union all

    select
        year,
        work,
        'class' as level,
        class_key as entity_code,
        school_code,
        task,
        participants,
        score_sum,
        max_sum
    from class_tasks

),

compared as (

    select
        groups.year,
        groups.work,
        groups.level,
        groups.entity_code,
        groups.school_code,
        groups.task,
        groups.participants,
        schools.cluster_name,
        work_tasks.work_tasks,
        cast(groups.score_sum as double) / groups.max_sum as p_group,
        cast(region_tasks.score_sum as double) / region_tasks.max_sum as p_region,
        case
            when groups.level = 'school' and cluster_tasks.max_sum > 0
                then cast(cluster_tasks.score_sum as double) / cluster_tasks.max_sum
        end as p_cluster
    from groups
    inner join region_tasks
        on groups.year = region_tasks.year
        and groups.work = region_tasks.work
        and groups.task = region_tasks.task
    inner join work_tasks
        on groups.year = work_tasks.year
        and groups.work = work_tasks.work
    left join schools
        on groups.school_code = schools.school_code
    left join cluster_tasks
        on groups.year = cluster_tasks.year
        and groups.work = cluster_tasks.work
        and groups.task = cluster_tasks.task
        and schools.cluster_name = cluster_tasks.cluster_name
    where groups.max_sum > 0
        and region_tasks.max_sum > 0

),

gapped as (

    select
        compared.*,
        (compared.p_region - compared.p_group) * 100 as gap_pp,
        case
            when compared.p_region < 1
                then (compared.p_region - compared.p_group)
                    / sqrt(compared.p_region * (1 - compared.p_region) / compared.participants)
        end as z
    from compared
    cross join params
    where (compared.p_region - compared.p_group) * 100 >= params.priority_min_gap_pp

),

tested as (

    select
        gapped.*,
        -- a region at 100 % has no variance: any group below it is below it for certain
        case when gapped.p_region >= 1 then 0.0 else {{ normal_upper_tail('gapped.z') }} end as p_value
    from gapped

),

final as (

    select
        cast(tested.year as integer) as year,
        tested.work,
        tested.level,
        tested.entity_code,
        tested.school_code,
        tested.task,
        cast(tested.participants as integer) as participants,
        tested.cluster_name,
        cast(tested.work_tasks as integer) as work_tasks,
        tested.p_group * 100 as completion_pct,
        tested.p_region * 100 as region_completion_pct,
        tested.p_cluster * 100 as cluster_completion_pct,
        tested.gap_pp,
        tested.z,
        tested.p_value,
        least(1.0, tested.p_value * tested.work_tasks) as p_bonferroni,
        least(1.0, tested.p_value * tested.work_tasks) < params.priority_alpha as significant,
        least(1.0, tested.p_value * tested.work_tasks) < params.priority_alpha
            and (
                tested.level = 'class'
                or coalesce(tested.p_group < tested.p_cluster, false)
            ) as candidate
    from tested
    cross join params

)

select * from final
