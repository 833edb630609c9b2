-- One row per pupil x ВПР work for years <= run_year, joined to the school register
-- (ВПР identifies schools by Логин ОО) and to the work's mark scale.
-- pupil_work_id links a work to its task rows (int_vpr_task_scores).
with results as (

    select * from {{ ref('stg_vpr_results') }}
    where year <= {{ var('run_year') }}

),

schools as (

    select * from {{ ref('dim_schools') }}

),

scales as (

    select * from {{ ref('stg_vpr_scale') }}

),

final as (

    select
        {{ row_hash(['results._load_id', 'results._source_row']) }} as pupil_work_id,
        results.year,
        results.subject,
        results.grade,
        'ВПР ' || results.subject || ' ' || results.grade as work,
        results.work_max,
        schools.region_code,
        schools.mo_code,
        schools.school_code,
        results.school_login,
        results.class_name,
        schools.school_code || '/' || results.class_name as class_key,
        results.participant_code,
        results.variant,
        results.primary_score,
        results.mark,
        results.journal_mark,
        scales.min_mark3,
        scales.min_mark4,
        scales.min_mark5,
        results._load_id,
        results._source_row
    from results
    inner join schools
        on results.school_login = schools.school_login
    left join scales
        on results.year = scales.year
        and results.subject = scales.subject
        and results.grade = scales.grade

)

select * from final
