-- M4 «Несоответствие отметкам по журналу», per evaluated school x work.
-- Pupils with both an Отметка and an Отметка по журналу. The region's rates are taken per journal
-- mark j over all pupils of the work (raised_j: ВПР mark > j; confirmed_j: ВПР mark = j) and
-- averaged over the school's pupils by their journal marks (p̄_raised, p̄_confirmed), so a strong
-- school whose 5s are confirmed is compared with how often 5s are confirmed in the region.
-- p = min(P(X >= k_raised; n, p̄_raised), P(X >= k_confirmed; n, p̄_confirmed));
-- value = p when n >= m4_min_n, else null; flagged when p < alpha.
with params as (

    {{ marker_params(['alpha', 'm4_min_n']) }}

),

school_works as (

    select * from {{ ref('int_vpr_school_works') }}
    where is_evaluated

),

pupils as (

    select * from {{ ref('int_vpr_pupil_works') }}
    where mark is not null
        and journal_mark is not null

),

region_rates as (

    select
        year,
        work,
        journal_mark,
        avg((mark > journal_mark)::integer) as raised_rate,
        avg((mark = journal_mark)::integer) as confirmed_rate
    from pupils
    group by year, work, journal_mark

),

school_counts as (

    select
        pupils.year,
        pupils.work,
        pupils.school_code,
        count(*) as pupils_compared,
        count(*) filter (where pupils.mark > pupils.journal_mark) as raised,
        count(*) filter (where pupils.mark = pupils.journal_mark) as confirmed,
        -- averaged in a fixed order (a float sum depends on it; a rerun must give the same bits)
        {{ ordered_avg('region_rates.raised_rate', 'pupils.journal_mark') }} as expected_raised_rate,
        {{ ordered_avg('region_rates.confirmed_rate', 'pupils.journal_mark') }} as expected_confirmed_rate
    from pupils
    inner join region_rates
        on pupils.year = region_rates.year
        and pupils.work = region_rates.work
        and pupils.journal_mark = region_rates.journal_mark
    group by pupils.year, pupils.work, pupils.school_code

),

school_tests as (

    select
        school_counts.*,
        case when school_counts.pupils_compared >= params.m4_min_n then
            {{ binomial_upper_tail('raised', 'pupils_compared', 'expected_raised_rate') }}
        end as p_raised,
        case when school_counts.pupils_compared >= params.m4_min_n then
            {{ binomial_upper_tail('confirmed', 'pupils_compared', 'expected_confirmed_rate') }}
        end as p_confirmed
    from school_counts
    cross join params

),

tested as (

    select
        school_works.year,
        school_works.school_code,
        school_works.work,
        coalesce(school_tests.pupils_compared, 0) as pupils_compared,
        coalesce(school_tests.raised, 0) as raised,
        coalesce(school_tests.confirmed, 0) as confirmed,
        school_tests.expected_raised_rate,
        school_tests.expected_confirmed_rate,
        school_tests.p_raised <= school_tests.p_confirmed as raised_is_stronger,
        least(school_tests.p_raised, school_tests.p_confirmed) as p_value,
        params.alpha as threshold
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
        'M4' as marker_code,
        p_value::double as value,
        threshold::double as threshold,
        coalesce(p_value < threshold, false)::integer as flagged,
        case
            when p_value < threshold and raised_is_stronger then
                'отметку по журналу повысили ' || raised || ' из ' || pupils_compared
                || ' ' || {{ ru_of('pupils_compared', 'участника', 'участников') }} || ' (' || {{ ru_number('100.0e0 * raised / pupils_compared') }}
                || ' %), тогда как для их отметок по журналу в регионе ожидается '
                || {{ ru_number('100.0e0 * expected_raised_rate') }} || ' %'
            when p_value < threshold then
                'отметку по журналу подтвердили ' || confirmed || ' из ' || pupils_compared
                || ' ' || {{ ru_of('pupils_compared', 'участника', 'участников') }} || ' (' || {{ ru_number('100.0e0 * confirmed / pupils_compared') }}
                || ' %), тогда как для их отметок по журналу в регионе ожидается '
                || {{ ru_number('100.0e0 * expected_confirmed_rate') }} || ' %'
        end as explanation_ru,
        pupils_compared,
        raised,
        confirmed,
        expected_raised_rate,
        expected_confirmed_rate
    from tested

)

select * from final
