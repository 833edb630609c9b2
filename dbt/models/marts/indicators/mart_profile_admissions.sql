-- Admissions by Профиль обучения (report, «profile choice and admissions»): per year (Год
-- выпуска), entity and profile, the graduates in the admissions file, those admitted (ВО/СПО)
-- and those admitted to a specialty matching their profile (G01's numerator).
with admissions as (

    select
        *,
        coalesce(nullif(profile, ''), 'не указан') as profile_name
    from {{ ref('int_ind_admissions') }}

),

final as (

    select
        year,
        {{ indicator_level_columns() }},
        profile_name as profile,
        sum(admitted)::bigint as admitted,
        sum(profile_matched)::bigint as matched,
        count(*) as graduates
    from admissions
    group by {{ indicator_level_grouping_sets(['year', 'profile_name']) }}

)

select * from final
where entity_code is not null
