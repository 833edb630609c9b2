-- The share of Y−1's listed schools cleared in Y, with and without objectivity measures (methodology,
-- «The management cycle»): one row per group ('with_measures', 'without_measures', 'all'). schools =
-- listed in Y−1; sat_vpr = of them, those that sat ВПР in Y (the denominator of cleared_pct).
with listed as (

    select * from {{ ref('mart_effectiveness_listed') }}

),

groups as (

    select 'with_measures' as measures_group, 1 as had_measures
    union all
    select 'without_measures' as measures_group, 0 as had_measures
    union all
    select 'all' as measures_group, null as had_measures

),

final as (

    select
        cast({{ var('run_year') }} as integer) as year,
        groups.measures_group,
        count(listed.school_code) as schools,
        coalesce(sum(listed.sat_vpr), 0) as sat_vpr,
        coalesce(sum(listed.cleared), 0) as cleared,
        case when sum(listed.sat_vpr) > 0 then 100.0e0 * sum(listed.cleared) / sum(listed.sat_vpr) end as cleared_pct
    from groups
    left join listed
        on groups.had_measures is null
        or listed.had_measures = groups.had_measures
    group by groups.measures_group

)

select * from final
