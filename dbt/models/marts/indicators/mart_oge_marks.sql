-- ОГЭ marks (report, «Анализ образовательных результатов»): best counted ОГЭ results per
-- participant and subject, per year, subject, region and municipality: results with marks 2–5.
with results as (

    select * from {{ ref('int_ind_gia_results') }}
    where exam = 'gia9'
        and gia_form = 'ОГЭ'

),

subjects as (

    select * from {{ ref('subjects') }}

),

counted as (

    select
        year,
        subject_code,
        case when grouping(mo_code) = 0 then 'municipality' else 'region' end as level,
        case when grouping(mo_code) = 0 then mo_code else region_code end as entity_code,
        count(*) as participants,
        count(*) filter (where mark = 2) as mark2,
        count(*) filter (where mark = 3) as mark3,
        count(*) filter (where mark = 4) as mark4,
        count(*) filter (where mark = 5) as mark5
    from results
    group by grouping sets (
        (year, subject_code, region_code),
        (year, subject_code, mo_code)
    )

),

final as (

    select
        counted.year,
        counted.level,
        counted.entity_code,
        counted.subject_code,
        coalesce(subjects.subject_name_gia9, subjects.subject_name) as subject_name,
        counted.participants,
        counted.mark2,
        counted.mark3,
        counted.mark4,
        counted.mark5
    from counted
    left join subjects
        on counted.subject_code = subjects.subject_code
    where counted.entity_code is not null

)

select * from final
