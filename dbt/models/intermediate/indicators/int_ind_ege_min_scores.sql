-- Minimum ЕГЭ test score per year and subject (R03, R05, score bands): the delivered
-- «Минимальные баллы ЕГЭ» (stg_ege_min) where it names the year and subject, else the
-- year-independent default (seed ege_min_scores_default). Математика базовая (22) has no
-- minimum score: its mark 2 is below minimum.
with defaults as (

    select * from {{ ref('ege_min_scores_default') }}

),

delivered as (

    select
        year,
        subject_code,
        min_score
    from {{ ref('stg_ege_min') }}
    where year <= {{ var('run_year') }}
        and subject_code is not null
        and min_score is not null
    qualify row_number() over (
        partition by year, subject_code
        order by _load_id desc, _source_row desc
    ) = 1

),

years as (

    select distinct year from {{ ref('int_gia_results') }}
    where exam = 'gia11'
    union
    select distinct year from delivered

),

defaults_by_year as (

    select
        years.year,
        defaults.subject_code,
        defaults.min_score
    from years
    cross join defaults

),

final as (

    select
        coalesce(delivered.year, defaults_by_year.year) as year,
        coalesce(delivered.subject_code, defaults_by_year.subject_code) as subject_code,
        coalesce(delivered.min_score, defaults_by_year.min_score) as min_score,
        case when delivered.min_score is not null then 'delivered' else 'default' end as min_score_source
    from defaults_by_year
    full outer join delivered
        on defaults_by_year.year = delivered.year
        and defaults_by_year.subject_code = delivered.subject_code

)

select * from final
