-- Group rows of the ФИС ОКО aggregate forms matched to the register (input contract §9):
-- «Вся выборка» is Russia (entity_code 'RU'); the region row — the first row of a form that is
-- neither Russia, a municipality nor a school — is the region of the register (a later such row
-- is a group the register does not know);
-- a municipality by its name or by the number NNN of `(regNN_mNNN)` read as Код МО; a school by
-- its login, or by the same 6 digits under the other prefix (edu/sch). entity_code stays null
-- for a group the register does not know (the cross-check then reports it).
-- Only the latest year's forms count for a work: superseded files are already gone from raw.
with forms as (

    select
        *,
        row_number() over (partition by _load_id, group_level order by group_order, _source_row) as level_rank
    from {{ ref('stg_vpr_forms') }}
    where year <= {{ var('run_year') }}

),

schools as (

    select * from {{ ref('dim_schools') }}

),

municipalities as (

    select * from {{ ref('dim_municipalities') }}

),

region as (

    select min(region_code) as region_code from schools

),

by_login as (

    select
        forms._load_id,
        forms._source_row,
        coalesce(exact.school_code, min(digits.school_code)) as school_code
    from forms
    left join schools as exact
        on forms.group_login = exact.school_login
    left join schools as digits
        on substr(forms.group_login, 4) = substr(digits.school_login, 4)
    where forms.group_level = 'school'
    group by forms._load_id, forms._source_row, exact.school_code

),

by_mo as (

    select
        forms._load_id,
        forms._source_row,
        coalesce(min(by_name.mo_code), min(by_number.mo_code)) as mo_code
    from forms
    left join municipalities as by_name
        on forms.group_label = replace(lower(trim(by_name.mo_name)), 'ё', 'е')
    left join municipalities as by_number
        on {{ dbt.safe_cast('forms.group_mo_number', dbt.type_int()) }}
            = {{ dbt.safe_cast('by_number.mo_code', dbt.type_int()) }}
    where forms.group_level = 'municipality'
    group by forms._load_id, forms._source_row

),

final as (

    select
        forms.year,
        forms.work,
        forms.form,
        forms.group_level as level,
        forms.group_name,
        forms.group_order,
        case forms.group_level
            when 'russia' then 'RU'
            when 'region' then case when forms.level_rank = 1 then region.region_code end
            when 'municipality' then by_mo.mo_code
            else by_login.school_code
        end as entity_code,
        forms.schools,
        forms.participants,
        forms.mark2,
        forms.mark3,
        forms.mark4,
        forms.mark5,
        forms.lowered_pct,
        forms.lowered,
        forms.confirmed_pct,
        forms.confirmed,
        forms.raised_pct,
        forms.raised,
        forms._source_file,
        forms._source_row
    from forms
    cross join region
    left join by_login
        on forms._load_id = by_login._load_id
        and forms._source_row = by_login._source_row
    left join by_mo
        on forms._load_id = by_mo._load_id
        and forms._source_row = by_mo._source_row

)

select * from final
