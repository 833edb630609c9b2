with source as (

    select * from {{ source('raw', 'gia11') }}

),

renamed as (

    select
        year,
        participant_id,
        school_code,
        mo_code,
        category,
        class_name,
        sex,
        ovz,
        gia_form,
        subject_code,
        subject_name,
        stage,
        exam_date,
        variant,
        short_answers,
        long_answers,
        primary_score,
        test_score,
        mark,
        status,
        _load_id,
        _source_file,
        _source_row
    from source

)

select * from renamed
