-- M3 «Пики на границах отметок», per evaluated school x work.
-- For each boundary b (minimum primary score for «3», «4», «5») with b-1 >= 0 and b+1 <= maximum:
-- the school's counts c(b-1), c(b), c(b+1) and the region's share r_b = R(b) / (R(b-1)+R(b)+R(b+1))
-- (region = all pupils of the work with an Отметка, the school included).
-- A = Σ c(b), N = Σ N_b, p0 = Σ r_b·N_b / N; value = P(X >= A; N, p0) when N >= m3_min_n, else null;
-- flagged when value < alpha. A three-score window does not react to a distribution that simply
-- rises or falls across a boundary, only to a peak on it.
with params as (

    {{ marker_params(['alpha', 'm3_min_n']) }}

),

school_works as (

    select * from {{ ref('int_vpr_school_works') }}
    where is_evaluated

),

pupils as (

    select * from {{ ref('int_vpr_pupil_works') }}
    where mark is not null
        and primary_score is not null

),

work_scales as (

    select
        year,
        work,
        max(work_max) as work_max,
        max(min_mark3) as min_mark3,
        max(min_mark4) as min_mark4,
        max(min_mark5) as min_mark5
    from pupils
    group by year, work

),

boundaries as (

    select distinct
        year,
        work,
        {{ explode_list(make_list(['min_mark3', 'min_mark4', 'min_mark5'])) }} as boundary,
        work_max
    from work_scales

),

usable_boundaries as (

    select year, work, boundary
    from boundaries
    where boundary - 1 >= 0
        and boundary + 1 <= work_max

),

school_score_counts as (

    select
        year,
        work,
        school_code,
        primary_score,
        count(*) as pupils
    from pupils
    group by year, work, school_code, primary_score

),

school_windows as (

    select
        school_score_counts.year,
        school_score_counts.work,
        school_score_counts.school_code,
        usable_boundaries.boundary,
        sum(school_score_counts.pupils) filter (
            where school_score_counts.primary_score = usable_boundaries.boundary
        ) as at_boundary,
        sum(school_score_counts.pupils) as in_window
    from school_score_counts
    inner join usable_boundaries
        on school_score_counts.year = usable_boundaries.year
        and school_score_counts.work = usable_boundaries.work
        and school_score_counts.primary_score between usable_boundaries.boundary - 1
            and usable_boundaries.boundary + 1
    group by all

),

region_windows as (

    select
        year,
        work,
        boundary,
        sum(at_boundary) / sum(in_window) as region_boundary_share
    from school_windows
    group by year, work, boundary

),

school_tests as (

    select
        school_windows.year,
        school_windows.work,
        school_windows.school_code,
        {{ ordered_string_agg('cast(school_windows.boundary as string)', ', ', 'school_windows.boundary') }} as boundary_list,
        coalesce(sum(school_windows.at_boundary), 0)::bigint as boundary_pupils,
        sum(school_windows.in_window)::bigint as window_pupils,
        -- summed in a fixed order: a float sum depends on it, and a rerun must give the same bits
        {{ ordered_sum('region_windows.region_boundary_share * school_windows.in_window', 'school_windows.boundary') }} as expected_pupils
    from school_windows
    inner join region_windows
        on school_windows.year = region_windows.year
        and school_windows.work = region_windows.work
        and school_windows.boundary = region_windows.boundary
    group by all

),

tested as (

    select
        school_works.year,
        school_works.school_code,
        school_works.work,
        school_tests.boundary_list,
        coalesce(school_tests.boundary_pupils, 0) as boundary_pupils,
        coalesce(school_tests.window_pupils, 0) as window_pupils,
        school_tests.expected_pupils,
        school_tests.expected_pupils / school_tests.window_pupils as expected_share,
        params.alpha as threshold,
        case
            when school_tests.window_pupils >= params.m3_min_n then {{ binomial_upper_tail(
                'school_tests.boundary_pupils',
                'school_tests.window_pupils',
                'school_tests.expected_pupils / school_tests.window_pupils'
            ) }}
        end as p_value
    from school_works
    left join school_tests
        on school_works.year = school_tests.year
        and school_works.work = school_tests.work
        and school_works.school_code = school_tests.school_code
    cross join params

),

final as (

    select
        year,
        school_code,
        work,
        'M3' as marker_code,
        p_value::double as value,
        threshold::double as threshold,
        coalesce(p_value < threshold, false)::integer as flagged,
        case
            when p_value < threshold then
                'ровно на границах отметок (первичный балл ' || boundary_list || ') — '
                || boundary_pupils || ' из ' || window_pupils
                || ' ' || {{ ru_of('window_pupils', 'участника', 'участников') }} || ', набравших балл на границе или рядом с ней ('
                || {{ ru_number('100.0e0 * boundary_pupils / window_pupils') }}
                || ' %), тогда как по распределению баллов в регионе ожидается '
                || {{ ru_number('100.0e0 * expected_share') }} || ' % (около '
                || {{ ru_number('expected_pupils') }} || ' чел.)'
        end as explanation_ru,
        boundary_pupils,
        window_pupils,
        expected_share
    from tested

)

select * from final
