-- Each school's results_index beside its cluster's (methodology, «Schools with persistently low
-- results; schools that do better than their cluster»), per year: the cluster's mean index over
-- its schools with an index, its standard error (sample SD / √k; null with fewer than 2 schools),
-- the gap (school − cluster) and whether it lies beyond cluster_gap_se_multiplier (seed
-- analysis_params, 2) SE below or above. Over two consecutive years (Y−1, Y):
--   persistently_low = percent_rank rule (mart_persistently_low_schools) and below in both years;
--   good_practice    = above in both years (sources of good practice);
-- ШНОР schools (register flag) are always present, so the report can show their trajectory.
with params as (

    {{ seed_params('analysis_params', ['cluster_gap_se_multiplier']) }}

),

schools as (

    select school_code, cluster_name, shnor from {{ ref('dim_schools') }}

),

school_index as (

    select
        mart_index.year,
        mart_index.entity_code as school_code,
        schools.cluster_name,
        schools.shnor,
        mart_index.results_index
    from {{ ref('mart_index') }} as mart_index
    inner join schools
        on mart_index.entity_code = schools.school_code
    where mart_index.level = 'school'
        and mart_index.results_index is not null

),

clusters as (

    select
        year,
        cluster_name,
        count(*) as cluster_schools,
        {{ ordered_avg('results_index', 'results_index') }} as cluster_index,  -- ordered: the same bits every run
        {{ ordered_spread('stddev_samp', 'results_index', 'results_index') }} / sqrt(count(*)) as cluster_index_se
    from school_index
    group by year, cluster_name

),

positioned as (

    select
        school_index.year,
        school_index.school_code,
        school_index.cluster_name,
        school_index.shnor,
        school_index.results_index,
        clusters.cluster_index,
        clusters.cluster_schools,
        clusters.cluster_index_se,
        school_index.results_index - clusters.cluster_index as gap,
        case
            when clusters.cluster_index_se is null then 0
            when school_index.results_index - clusters.cluster_index
                < -params.cluster_gap_se_multiplier * clusters.cluster_index_se then -1
            when school_index.results_index - clusters.cluster_index
                > params.cluster_gap_se_multiplier * clusters.cluster_index_se then 1
            else 0
        end as position
    from school_index
    inner join clusters
        on school_index.year = clusters.year
        and school_index.cluster_name = clusters.cluster_name
    cross join params

),

low_rank as (

    select year, school_code from {{ ref('mart_persistently_low_schools') }}

),

final as (

    select
        current_year.year,
        current_year.school_code,
        current_year.cluster_name,
        current_year.shnor,
        current_year.results_index,
        current_year.cluster_index,
        current_year.cluster_schools,
        current_year.cluster_index_se,
        current_year.gap,
        current_year.position,
        previous_year.gap as gap_prev,
        previous_year.position as position_prev,
        case
            when low_rank.school_code is not null and current_year.position = -1 and previous_year.position = -1
                then 1
            else 0
        end as persistently_low,
        case when current_year.position = 1 and previous_year.position = 1 then 1 else 0 end as good_practice
    from positioned as current_year
    left join positioned as previous_year
        on current_year.school_code = previous_year.school_code
        and current_year.year - 1 = previous_year.year
    left join low_rank
        on current_year.school_code = low_rank.school_code
        and current_year.year = low_rank.year

)

select * from final
