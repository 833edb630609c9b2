-- Fact `admission` of the indicator catalogue (G01): one row per row of the admissions file,
-- year = Год выпуска, at the row's Код ОО (municipality from the register, region = first two
-- characters of Код ОО). admitted = Уровень образования ВО or СПО. profile_matched = admitted
-- and the specialty group (first two digits of Код специальности) maps to the row's Профиль
-- обучения in the seed specialty_profile_map; `универсальный` matches every group.
with admissions as (

    select
        *,
        upper(trim(edu_level)) as edu_level_clean,
        lower(trim(profile)) as profile_clean,
        try_cast(left(trim(specialty_code), 2) as integer) as specialty_group
    from {{ ref('stg_admissions') }}
    where grad_year <= {{ var('run_year') }}

),

profile_map as (

    select * from {{ ref('specialty_profile_map') }}

),

schools as (

    select * from {{ ref('dim_schools') }}

),

matched as (

    select
        admissions._load_id,
        admissions._source_row,
        bool_or(profile_map.profile is not null) as is_mapped
    from admissions
    left join profile_map
        on admissions.specialty_group between profile_map.group_from and profile_map.group_to
        and admissions.profile_clean = lower(trim(profile_map.profile))
    group by all

),

final as (

    select
        admissions.grad_year as year,
        admissions.participant_id,
        left(admissions.school_code, 2) as region_code,
        schools.mo_code,
        admissions.school_code,
        admissions.edu_level_clean as edu_level,
        admissions.specialty_code,
        admissions.specialty_group,
        admissions.profile_clean as profile,
        admissions.study_region,
        coalesce(admissions.edu_level_clean in ('ВО', 'СПО'), false)::integer as admitted,
        coalesce(
            admissions.edu_level_clean in ('ВО', 'СПО')
            and (admissions.profile_clean = 'универсальный' or matched.is_mapped),
            false
        )::integer as profile_matched,
        admissions._load_id,
        admissions._source_row
    from admissions
    left join matched
        on admissions._load_id = matched._load_id
        and admissions._source_row = matched._source_row
    left join schools
        on admissions.school_code = schools.school_code

)

select * from final
