with source as (

    select * from {{ source('raw', 'gia11_tasks') }}

),

renamed as (

    select
        year,
        participant_id,
        subject_code,
        exam_date,
        part,
        task_no,
        score,
        max_score,
        _load_id,
        _source_file,
        _source_row
    from source

)

select * from renamed
