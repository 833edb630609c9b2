-- One row per school (ОО) of the current register, with the cluster it is compared within.
-- The methodology forbids league tables: a school is read beside its cluster
-- (Местность x type group x Транспортная доступность).
with register as (

    select * from {{ ref('stg_register') }}

),

typed as (

    select
        school_code,
        school_login,
        short_name,
        full_name,
        mo_code,
        mo_name,
        school_type,
        case
            when school_type in ('НОШ', 'ООШ') then 'НОШ/ООШ'
            when school_type = 'СОШ' then 'СОШ'
            when school_type in ('Гимназия', 'Лицей', 'СОШ с УИОП') then 'Гимназия/Лицей/СОШ с УИОП'
            else 'Прочие'
        end as type_group,
        locality,
        transport_access,
        left(school_code, 2) as region_code,
        pupils,
        shnor
    from register

),

final as (

    select
        *,
        school_type in ('Гимназия', 'Лицей', 'СОШ с УИОП') as is_advanced,
        locality || ' · ' || type_group || ' · ' || transport_access as cluster_name
    from typed

)

select * from final
