-- The groups a school pack reports on in the published year: each school that sat ВПР and each of
-- its classes (level, entity_code as in fct_deficits), with the school they belong to, its
-- municipality and its cluster — so every pack mart finds a row's school by one join.
with class_tasks as (

    select distinct school_code, class_key from {{ ref('int_vpr_class_task_sums') }}
    where year = {{ var('run_year') }}

),

schools as (

    select school_code, mo_code, cluster_name from {{ ref('dim_schools') }}

),

entities as (

    select distinct 'school' as level, school_code as entity_code, school_code from class_tasks
    union all
    select 'class' as level, class_key as entity_code, school_code from class_tasks

),

final as (

    select
        entities.level,
        entities.entity_code,
        entities.school_code,
        schools.mo_code,
        schools.cluster_name
    from entities
    inner join schools
        on entities.school_code = schools.school_code

)

select * from final
