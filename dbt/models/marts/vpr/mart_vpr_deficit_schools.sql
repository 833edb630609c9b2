-- Per ВПР task, for the region and each municipality: how many of its schools were evaluated on
-- the task (>= min_group_pupils pupils sat the work) and for how many the task is a deficit.
-- The report's «ОО с дефицитом: k из m» column; counted here so the report need not read every
-- school's row of fct_deficits (~0.9 M rows a year for a large region).
with school_tasks as (

    select * from {{ ref('fct_deficits') }}
    where level = 'school'

),

schools as (

    select * from {{ ref('dim_schools') }}

),

zones as (

    select * from {{ ref('vpr_deficit_zones') }}

),

evaluated as (

    select
        school_tasks.year,
        school_tasks.work,
        school_tasks.task,
        schools.region_code,
        schools.mo_code,
        schools.school_code,
        school_tasks.deficit
    from school_tasks
    inner join schools
        on school_tasks.entity_code = schools.school_code
    inner join zones
        on school_tasks.level_of_task = zones.level_of_task
    where school_tasks.group_pupils >= zones.min_group_pupils

),

final as (

    select
        year::integer as year,
        work,
        task,
        {{ entity_level_columns(['region', 'municipality']) }},
        count(distinct school_code)::integer as schools_evaluated,
        count(distinct school_code) filter (where deficit = 1)::integer as schools_with_deficit
    from evaluated
    group by {{ entity_grouping_sets(['year', 'work', 'task'], ['region', 'municipality']) }}

)

select * from final
