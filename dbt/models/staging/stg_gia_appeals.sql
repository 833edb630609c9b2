with source as (

    select * from {{ source('raw', 'gia_appeals') }}

),

renamed as (

    select
        year,
        participant_id,
        school_code,
        class_name,
        subject_code,
        exam_date,
        appeal_type,
        appeal_state,
        sent_at,
        changed_at,
        score_before,
        primary_score,
        score,
        score_diff,
        replaces,
        _load_id,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
