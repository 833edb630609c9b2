with source as (

    select * from {{ source('raw', 'ege_min') }}

),

renamed as (

    select
        year,
        subject_code,
        min_score,
        _load_id,
        _source_file,
        _source_row
    from source

)

select * from renamed
