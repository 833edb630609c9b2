-- ФИС ОКО aggregate forms of ВПР: one row per group row of a delivered form.
-- group_label is the group's name without its bracketed code (`Город А(reg86_m001)` -> `Город А`),
-- lower case with ё as е, for matching a municipality to the register by name.
with source as (

    select * from {{ source('raw', 'vpr_forms') }}

),

renamed as (

    select
        year,
        subject,
        grade,
        'ВПР ' || subject || ' ' || cast(grade as string) as work,
        form,
        group_name,
        replace(lower(trim(regexp_replace(group_name, '[(][^()]*[)] *$', ''))), 'ё', 'е') as group_label,
        group_order,
        group_level,
        lower(group_login) as group_login,
        group_mo_number,
        schools,
        participants,
        mark2,
        mark3,
        mark4,
        mark5,
        lowered_pct,
        lowered,
        confirmed_pct,
        confirmed,
        raised_pct,
        raised,
        _load_id,
        _source_file,
        _source_row
    from source

)

select * from renamed
