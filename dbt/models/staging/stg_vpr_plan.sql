with source as (

    select * from {{ source('raw', 'vpr_plan') }}

),

renamed as (

    select
        year,
        subject,
        grade,
        task,
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
