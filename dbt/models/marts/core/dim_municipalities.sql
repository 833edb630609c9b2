-- One row per municipality (МО) of the register.
with schools as (

    select * from {{ ref('dim_schools') }}

),

final as (

    select
        mo_code,
        min(mo_name) as mo_name,
        min(region_code) as region_code,
        count(*) as schools
    from schools
    group by mo_code

)

select * from final
