with source as (

    select * from {{ source('raw', 'measures') }}

),

renamed as (

    select
        _load_id || ':' || cast(_source_row as string) as measure_id,
        year,
        level,
        code,
        measure,
        work,
        subject,
        grade,
        skill_codes,
        start_date,
        end_date,
        responsible,
        _load_id,
        _source_file,
        _source_row
    from source

)

select * from renamed
