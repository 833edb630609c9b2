-- ШНОР schools (register flag) and schools reached by an «адресная помощь» measure in Y (seed
-- measure_types, role support): the gap to their cluster in Y−2, Y−1 and Y and its change
-- (methodology, «The management cycle»), for the results_index and for each ВПР work the help names.
-- target = 'results_index': the school's index minus the mean index of its cluster's schools (itself
--   included); n = 1 school, cluster_n = the cluster's schools with an index; se = the standard error
--   of the cluster's mean (sd / √cluster_n): the index is a rank-based score with no sampling error
--   of its own.
-- target = a work ('ВПР Математика 5'): the school's mean of pupils' primary score / work maximum · 100
--   minus the same mean over the cluster's pupils; n, cluster_n = pupils; se = √(s²/n + s_c²/n_c).
--   A school with fewer than effectiveness_min_pupils pupils on the work has no gap that year, nor
--   has a school alone in its cluster (on the index or the work).
-- change = gap in Y − gap in Y−1 (change_from_y2: − gap in Y−2), *_se2 = effectiveness_se_multiplier
-- times its standard error (√ of the sum of the two variances); verdict 'up' (the school gained on its
-- cluster), 'down', 'none' (within the margin) or null (a gap is missing). Rows for year Y only.
with params as (

    {{ seed_params('analysis_params', ['effectiveness_se_multiplier', 'effectiveness_min_pupils']) }}

),

schools as (

    select * from {{ ref('dim_schools') }}

),

support as (

    select * from {{ ref('int_measure_addressees') }}
    where year = {{ var('run_year') }}
        and role = 'support'

),

subjects as (

    select
        schools.school_code,
        max(case when schools.shnor then 1 else 0 end) as shnor,
        max(case when support.school_code is not null then 1 else 0 end) as helped
    from schools
    left join support
        on schools.school_code = support.school_code
    where schools.shnor or support.school_code is not null
    group by schools.school_code

),

targets as (

    select school_code, 'results_index' as target from subjects
    union
    select school_code, work as target from support where work is not null

),

school_index as (

    select
        mart_index.year,
        mart_index.entity_code as school_code,
        schools.cluster_name,
        mart_index.results_index
    from {{ ref('mart_index') }} as mart_index
    inner join schools
        on mart_index.entity_code = schools.school_code
    where mart_index.level = 'school'
        and mart_index.results_index is not null
        and mart_index.year between {{ var('run_year') }} - 2 and {{ var('run_year') }}

),

cluster_index as (

    select
        year,
        cluster_name,
        {{ ordered_avg('results_index', 'results_index') }} as cluster_value,  -- ordered: the same bits every run
        {{ ordered_spread('var_samp', 'results_index', 'results_index') }} as cluster_var,
        count(*) as cluster_n
    from school_index
    group by year, cluster_name

),

index_gaps as (

    select
        school_index.year,
        school_index.school_code,
        'results_index' as target,
        school_index.results_index as value,
        1 as n,
        cluster_index.cluster_value,
        cluster_index.cluster_n,
        school_index.results_index - cluster_index.cluster_value as gap,
        sqrt(coalesce(cluster_index.cluster_var, 0) / cluster_index.cluster_n) as gap_se
    from school_index
    inner join cluster_index
        on school_index.year = cluster_index.year
        and school_index.cluster_name = cluster_index.cluster_name
    where cluster_index.cluster_n >= 2  -- a school alone in its cluster has nothing to be compared with

),

pupils as (

    select
        pupil_works.year,
        pupil_works.work,
        pupil_works.school_code,
        schools.cluster_name,
        100.0e0 * pupil_works.primary_score / pupil_works.work_max as pct
    from {{ ref('int_vpr_pupil_works') }} as pupil_works
    inner join schools
        on pupil_works.school_code = schools.school_code
    where pupil_works.year between {{ var('run_year') }} - 2 and {{ var('run_year') }}
        and pupil_works.primary_score is not null
        and pupil_works.work_max > 0
        and pupil_works.work in (select target from targets)

),

school_works as (

    select
        year,
        work,
        school_code,
        any_value(cluster_name) as cluster_name,
        count(*) as n,
        {{ ordered_avg('pct', 'pct') }} as value,
        {{ ordered_spread('var_samp', 'pct', 'pct') }} as var
    from pupils
    where school_code in (select school_code from subjects)
    group by year, work, school_code

),

cluster_works as (

    select
        year,
        work,
        cluster_name,
        count(*) as cluster_n,
        {{ ordered_avg('pct', 'pct') }} as cluster_value,
        {{ ordered_spread('var_samp', 'pct', 'pct') }} as cluster_var
    from pupils
    group by year, work, cluster_name

),

work_gaps as (

    select
        school_works.year,
        school_works.school_code,
        school_works.work as target,
        school_works.value,
        school_works.n,
        cluster_works.cluster_value,
        cluster_works.cluster_n,
        school_works.value - cluster_works.cluster_value as gap,
        sqrt(coalesce(school_works.var, 0) / school_works.n
             + coalesce(cluster_works.cluster_var, 0) / cluster_works.cluster_n) as gap_se
    from school_works
    inner join cluster_works
        on school_works.year = cluster_works.year
        and school_works.work = cluster_works.work
        and school_works.cluster_name = cluster_works.cluster_name
    cross join params
    where school_works.n >= params.effectiveness_min_pupils
        and cluster_works.cluster_n > school_works.n

),

gaps as (

    select * from index_gaps
    union all
    select * from work_gaps

),

pivoted as (

    select
        targets.school_code,
        targets.target,
        max(case when gaps.year = {{ var('run_year') }} - 2 then gaps.gap end) as gap_y2,
        max(case when gaps.year = {{ var('run_year') }} - 1 then gaps.gap end) as gap_y1,
        max(case when gaps.year = {{ var('run_year') }} then gaps.gap end) as gap_y,
        max(case when gaps.year = {{ var('run_year') }} - 2 then gaps.gap_se end) as se_y2,
        max(case when gaps.year = {{ var('run_year') }} - 1 then gaps.gap_se end) as se_y1,
        max(case when gaps.year = {{ var('run_year') }} then gaps.gap_se end) as se_y,
        max(case when gaps.year = {{ var('run_year') }} - 2 then gaps.value end) as value_y2,
        max(case when gaps.year = {{ var('run_year') }} - 1 then gaps.value end) as value_y1,
        max(case when gaps.year = {{ var('run_year') }} then gaps.value end) as value_y,
        max(case when gaps.year = {{ var('run_year') }} - 2 then gaps.cluster_value end) as cluster_value_y2,
        max(case when gaps.year = {{ var('run_year') }} - 1 then gaps.cluster_value end) as cluster_value_y1,
        max(case when gaps.year = {{ var('run_year') }} then gaps.cluster_value end) as cluster_value_y,
        max(case when gaps.year = {{ var('run_year') }} - 2 then gaps.n end) as n_y2,
        max(case when gaps.year = {{ var('run_year') }} - 1 then gaps.n end) as n_y1,
        max(case when gaps.year = {{ var('run_year') }} then gaps.n end) as n_y,
        max(case when gaps.year = {{ var('run_year') }} - 2 then gaps.cluster_n end) as cluster_n_y2,
        max(case when gaps.year = {{ var('run_year') }} - 1 then gaps.cluster_n end) as cluster_n_y1,
        max(case when gaps.year = {{ var('run_year') }} then gaps.cluster_n end) as cluster_n_y
    from targets
    left join gaps
        on targets.school_code = gaps.school_code
        and targets.target = gaps.target
    group by targets.school_code, targets.target

),

changes as (

    select
        pivoted.*,
        pivoted.gap_y - pivoted.gap_y1 as change,
        params.effectiveness_se_multiplier * sqrt(power(pivoted.se_y, 2) + power(pivoted.se_y1, 2)) as change_se2,
        pivoted.gap_y - pivoted.gap_y2 as change_from_y2,
        params.effectiveness_se_multiplier * sqrt(power(pivoted.se_y, 2) + power(pivoted.se_y2, 2)) as change_from_y2_se2,
        params.effectiveness_se_multiplier as se_multiplier
    from pivoted
    cross join params

),

final as (

    select
        cast({{ var('run_year') }} as integer) as year,
        changes.school_code,
        schools.mo_code,
        schools.cluster_name,
        subjects.shnor,
        subjects.helped,
        changes.target,
        changes.value_y2,
        changes.value_y1,
        changes.value_y,
        changes.cluster_value_y2,
        changes.cluster_value_y1,
        changes.cluster_value_y,
        changes.gap_y2,
        changes.gap_y1,
        changes.gap_y,
        changes.n_y2,
        changes.n_y1,
        changes.n_y,
        changes.cluster_n_y2,
        changes.cluster_n_y1,
        changes.cluster_n_y,
        changes.se_multiplier * changes.se_y2 as gap_y2_se2,
        changes.se_multiplier * changes.se_y1 as gap_y1_se2,
        changes.se_multiplier * changes.se_y as gap_y_se2,
        changes.change,
        changes.change_se2,
        changes.change_from_y2,
        changes.change_from_y2_se2,
        case
            when changes.change is null then null
            when changes.change > changes.change_se2 then 'up'
            when changes.change < -changes.change_se2 then 'down'
            else 'none'
        end as verdict
    from changes
    inner join subjects
        on changes.school_code = subjects.school_code
    inner join schools
        on changes.school_code = schools.school_code

)

select * from final
