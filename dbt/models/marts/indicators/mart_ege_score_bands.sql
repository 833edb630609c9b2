-- ЕГЭ score bands (report, «Анализ образовательных результатов»): best counted ЕГЭ results per
-- participant and subject, per year, subject, category ('all' and each of ВТГ, ВПЛ, СПО),
-- region and municipality. Bands by test score: «ниже минимального» (< the year's minimum;
-- Математика базовая: mark 2), «мин–60», «61–80», «81–100». Математика базовая has marks, not
-- test scores: only participants and below_min are filled for it (bands 0, mean null).
with results as (

    select * from {{ ref('int_ind_gia_results') }}
    where exam = 'gia11'
        and gia_form = 'ЕГЭ'

),

subjects as (

    select * from {{ ref('subjects') }}

),

banded as (

    select
        year,
        subject_code,
        coalesce(category, '') as category,
        region_code,
        mo_code,
        null::string as school_code,
        count(*) as participants,
        count(*) filter (where below_min = 1) as below_min,
        count(*) filter (where test_score >= min_score and test_score <= 60) as band_min_60,
        count(*) filter (where test_score >= 61 and test_score <= 80 and test_score >= min_score) as band_61_80,
        count(*) filter (where test_score >= 81 and test_score >= min_score) as band_81_100,
        avg(test_score) as mean_score,
        max(min_score) as min_score,
        grouping(category) as is_all_categories,
        grouping(mo_code) as is_region
    from results
    group by grouping sets (
        (year, subject_code, region_code),
        (year, subject_code, region_code, mo_code),
        (year, subject_code, category, region_code),
        (year, subject_code, category, region_code, mo_code)
    )

),

final as (

    select
        banded.year,
        case when banded.is_region = 1 then 'region' else 'municipality' end as level,
        case when banded.is_region = 1 then banded.region_code else banded.mo_code end as entity_code,
        banded.subject_code,
        subjects.subject_name,
        case when banded.is_all_categories = 1 then 'all' else banded.category end as category,
        banded.participants,
        banded.below_min,
        banded.band_min_60,
        banded.band_61_80,
        banded.band_81_100,
        banded.mean_score,
        banded.min_score
    from banded
    left join subjects
        on banded.subject_code = subjects.subject_code

)

select * from final
where entity_code is not null
