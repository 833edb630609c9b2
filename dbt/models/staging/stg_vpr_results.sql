with source as (

    select * from {{ source('raw', 'vpr_results') }}

),

renamed as (

    select
        year,
        subject,
        grade,
        work_max,
        work_date,
        school_login,
        mo_name,
        school_name,
        participant_code,
        class_name,
        variant,
        primary_score,
        mark,
        journal_mark,
        _load_id,
        _source_file,
        _source_row
    from source

)

select * from renamed
