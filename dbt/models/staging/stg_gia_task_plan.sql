-- «План ГИА» (optional; methodology, «ГИА tasks and risk zones»): one row per task, or per criterion
-- of a task scored by several (`27К1` → task_no 27, criterion 1), with its maximum and level
-- (Б basic, П higher, В high). The plan's exam names the warehouse's exam and form: ЕГЭ and ГВЭ-11
-- are gia11, ОГЭ and ГВЭ-9 gia9.
with source as (

    select * from {{ source('raw', 'gia_plan') }}

),

renamed as (

    select
        year,
        case when exam in ('ЕГЭ', 'ГВЭ-11') then 'gia11' else 'gia9' end as exam,
        case when exam in ('ГВЭ-11', 'ГВЭ-9') then 'ГВЭ' else exam end as gia_form,
        subject_code,
        subject,
        grade,
        task,
        task_no,
        criterion,
        task_max,
        task_level,
        skill_code,
        skill_name,
        practice_oriented,
        _load_id,
        _source_file,
        _source_row
    from source

)

select * from renamed
