-- M1 «Высокие результаты ВПР при невысоких результатах ГИА», per evaluated school x work.
-- Flagged when the school's percent rank on the work >= m1_vpr_rank_min (90), its percent rank on
-- the share of ОГЭ results with mark >= 4 (best counted result per participant and subject, all
-- subjects, year Y, among schools with >= 10 such results) <= m1_oge_rank_max (25), and the school
-- is not a Гимназия / Лицей / СОШ с УИОП. Row only when the school has >= 10 ОГЭ results
-- (advanced schools get the row, flagged 0). value = ВПР rank, threshold = m1_vpr_rank_min.
with params as (

    {{ marker_params(['m1_vpr_rank_min', 'm1_oge_rank_max', 'm1_oge_min_results', 'm1_oge_good_mark']) }}

),

school_works as (

    select * from {{ ref('int_vpr_school_works') }}
    where is_evaluated

),

schools as (

    select * from {{ ref('dim_schools') }}

),

oge_results as (

    select * from {{ ref('int_gia_best_results') }}
    where exam = 'gia9'
        and gia_form = 'ОГЭ'

),

oge_schools as (

    select
        oge_results.year,
        oge_results.school_code,
        count(*) as oge_count,
        count(*) filter (where oge_results.mark >= params.m1_oge_good_mark) as oge_good
    from oge_results
    cross join params
    group by oge_results.year, oge_results.school_code

),

oge_counted as (

    select
        oge_schools.*,
        100.0e0 * oge_schools.oge_good / oge_schools.oge_count as oge_good_pct
    from oge_schools
    cross join params
    where oge_schools.oge_count >= params.m1_oge_min_results

),

oge_ranked as (

    select
        *,
        100.0e0 * percent_rank() over (partition by year order by oge_good_pct) as oge_rank_pct,
        count(*) over (partition by year) as oge_schools_ranked
    from oge_counted

),

evaluated as (

    select
        school_works.year,
        school_works.school_code,
        school_works.work,
        school_works.mean_pct,
        school_works.rank_pct,
        school_works.schools_evaluated,
        oge_ranked.oge_count,
        oge_ranked.oge_good_pct,
        oge_ranked.oge_rank_pct,
        oge_ranked.oge_schools_ranked,
        coalesce(schools.is_advanced, false) as is_advanced,
        params.m1_vpr_rank_min as threshold,
        coalesce(
            school_works.rank_pct >= params.m1_vpr_rank_min
            and oge_ranked.oge_rank_pct <= params.m1_oge_rank_max
            and not coalesce(schools.is_advanced, false),
            false
        ) as is_flagged
    from school_works
    inner join oge_ranked
        on school_works.year = oge_ranked.year
        and school_works.school_code = oge_ranked.school_code
    left join schools
        on school_works.school_code = schools.school_code
    cross join params

),

final as (

    select
        year,
        school_code,
        work,
        'M1' as marker_code,
        rank_pct::double as value,
        threshold::double as threshold,
        is_flagged::integer as flagged,
        case
            when is_flagged then
                'процентильный ранг ОО по ' || work || ' — ' || {{ ru_number('rank_pct') }}
                || ' среди ' || schools_evaluated || ' ОО (средний результат '
                || {{ ru_number('mean_pct') }} || ' % от максимума), а по доле отметок «4» и «5» на ОГЭ — '
                || {{ ru_number('oge_rank_pct') }} || ' среди ' || oge_schools_ranked || ' ОО ('
                || {{ ru_number('oge_good_pct') }} || ' % из ' || oge_count
                || ' ' || {{ ru_of('oge_count', 'результата', 'результатов') }} || ' ОГЭ)'
        end as explanation_ru,
        oge_rank_pct,
        oge_good_pct,
        oge_count,
        is_advanced
    from evaluated

)

select * from final
