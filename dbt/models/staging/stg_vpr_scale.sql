with source as (

    select * from {{ source('raw', 'vpr_scale') }}

),

renamed as (

    select
        year,
        subject,
        grade,
        min_mark3,
        min_mark4,
        min_mark5,
        _load_id,
        _source_file,
        _source_row
    from source

)

select * from renamed
