with source as (

    select * from {{ source('raw', 'admissions') }}

),

renamed as (

    select
        participant_id,
        school_code,
        grad_year,
        edu_level,
        specialty_code,
        study_region,
        profile,
        _load_id,
        _source_file,
        _source_row
    from source

)

select * from renamed
