-- The measures recorded for year Y («Меры», input contract §12), per type and addressee level (МО / ОО;
-- not `level`, which the report's loader reads as region / municipality / school): how many rows
-- of the register and how many schools they reach (an МО measure reaches every school of the
-- municipality). No rows when no measures file was delivered: the справка then says so.
with addressees as (

    select * from {{ ref('int_measure_addressees') }}
    where year = {{ var('run_year') }}

),

final as (

    select
        cast({{ var('run_year') }} as integer) as year,
        measure,
        role,
        level as addressee_level,
        count(distinct measure_id) as measures,
        count(distinct school_code) as schools
    from addressees
    group by measure, role, level

)

select * from final
