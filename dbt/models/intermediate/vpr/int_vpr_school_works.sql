-- One row per school x ВПР work: pupils, pupils with an Отметка, the school's result
-- (mean over pupils with an Отметка of primary score / work maximum * 100) and its percent rank
-- (DuckDB percent_rank() * 100) among the schools evaluated on the work. A school x work is
-- evaluated for the objectivity markers when it has >= min_pupils (10) pupils with an Отметка.
with params as (

    {{ marker_params(['min_pupils']) }}

),

pupil_works as (

    select * from {{ ref('int_vpr_pupil_works') }}

),

school_works as (

    select
        year,
        subject,
        grade,
        work,
        max(work_max) as work_max,
        region_code,
        mo_code,
        school_code,
        count(*) as pupils,
        count(mark) as pupils_marked,
        -- one division of the mean (not a mean of per-pupil ratios): equal means stay exactly
        -- equal, so ties get equal percent ranks
        100.0e0 * avg(primary_score) filter (where mark is not null) / nullif(max(work_max), 0) as mean_pct
    from pupil_works
    group by year, subject, grade, work, region_code, mo_code, school_code

),

evaluated as (

    select
        school_works.*,
        school_works.pupils_marked >= params.min_pupils as is_evaluated
    from school_works
    cross join params

),

final as (

    select
        *,
        case
            when is_evaluated
                then 100.0e0 * percent_rank() over (partition by year, work, is_evaluated order by mean_pct)
        end as rank_pct,
        count(*) filter (where is_evaluated) over (partition by year, work) as schools_evaluated
    from evaluated

)

select * from final
