with source as (

    select * from {{ source('raw', 'vpr_tasks') }}

),

renamed as (

    select
        year,
        subject,
        grade,
        school_login,
        participant_code,
        task,
        task_max,
        task_level,
        score,
        _load_id,
        _source_file,
        _source_row
    from source

)

select * from renamed
