-- M2 «Лёгкие задания хуже, трудные лучше», per evaluated school x work.
-- Completions are pooled (Σ scores / Σ maxima over non-null cells) over the work's Б tasks and
-- over its П tasks, for the school and for the region (all pupils of the work, the school
-- included). Flagged when Б difference < m2_basic_diff_max (0) and П difference >=
-- m2_higher_diff_min (10 percentage points). value = П difference, threshold = m2_higher_diff_min.
with params as (

    {{ marker_params(['m2_basic_diff_max', 'm2_higher_diff_min']) }}

),

school_works as (

    select * from {{ ref('int_vpr_school_works') }}
    where is_evaluated

),

class_task_sums as (

    select * from {{ ref('int_vpr_class_task_sums') }}
    where task_level in ('Б', 'П')

),

school_levels as (

    select
        year,
        work,
        school_code,
        100.0e0 * sum(score_sum) filter (where task_level = 'Б')
            / nullif(sum(max_sum) filter (where task_level = 'Б'), 0) as basic_pct,
        100.0e0 * sum(score_sum) filter (where task_level = 'П')
            / nullif(sum(max_sum) filter (where task_level = 'П'), 0) as higher_pct
    from class_task_sums
    group by year, work, school_code

),

region_levels as (

    select
        year,
        work,
        100.0e0 * sum(score_sum) filter (where task_level = 'Б')
            / nullif(sum(max_sum) filter (where task_level = 'Б'), 0) as region_basic_pct,
        100.0e0 * sum(score_sum) filter (where task_level = 'П')
            / nullif(sum(max_sum) filter (where task_level = 'П'), 0) as region_higher_pct
    from class_task_sums
    group by year, work

),

differences as (

    select
        school_works.year,
        school_works.school_code,
        school_works.work,
        school_levels.basic_pct,
        school_levels.higher_pct,
        region_levels.region_basic_pct,
        region_levels.region_higher_pct,
        school_levels.basic_pct - region_levels.region_basic_pct as basic_diff,
        school_levels.higher_pct - region_levels.region_higher_pct as higher_diff,
        params.m2_higher_diff_min as threshold,
        coalesce(
            basic_diff < params.m2_basic_diff_max and higher_diff >= params.m2_higher_diff_min,
            false
        ) as is_flagged
    from school_works
    left join school_levels
        on school_works.year = school_levels.year
        and school_works.work = school_levels.work
        and school_works.school_code = school_levels.school_code
    left join region_levels
        on school_works.year = region_levels.year
        and school_works.work = region_levels.work
    cross join params

),

final as (

    select
        year,
        school_code,
        work,
        'M2' as marker_code,
        higher_diff::double as value,
        threshold::double as threshold,
        is_flagged::integer as flagged,
        case
            when is_flagged then
                'задания базового уровня выполнены на ' || {{ ru_number('basic_pct', 1) }}
                || ' % — на ' || {{ ru_number('-basic_diff', 1) }} || ' п. п. ниже региона ('
                || {{ ru_number('region_basic_pct', 1) }} || ' %), а задания повышенного уровня — на '
                || {{ ru_number('higher_pct', 1) }} || ' %, на ' || {{ ru_number('higher_diff', 1) }}
                || ' п. п. выше региона (' || {{ ru_number('region_higher_pct', 1) }} || ' %)'
        end as explanation_ru,
        basic_pct,
        higher_pct,
        region_basic_pct,
        region_higher_pct,
        basic_diff
    from differences

)

select * from final
