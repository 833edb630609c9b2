with source as (

    select * from {{ source('raw', 'register') }}

),

renamed as (

    select
        school_code,
        school_login,
        short_name,
        full_name,
        mo_code,
        mo_name,
        school_type,
        locality,
        transport_access,
        pupils,
        shnor,
        _load_id,
        _source_file,
        _source_row
    from source

)

select * from renamed
