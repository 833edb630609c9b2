with source as (

    select * from {{ source('raw', 'niko_results') }}

),

renamed as (

    select
        year,
        subject,
        grade,
        school_login,
        participant_code,
        class_name,
        primary_score,
        level_name,
        _load_id,
        _source_file,
        _source_row
    from source

)

select * from renamed
