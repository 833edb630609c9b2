-- School packs: completion of every ВПР task by a school and by each of its classes beside the
-- region and the school's cluster, with the ФИОКО zone, deficit and priority flags, for the
-- published year. The school's and classes' rows are fct_deficits' own rows (completion,
-- participants, deficit, priority), so a pack says exactly what data/deficits.csv says; the region's
-- completion is fct_deficits' region row, the cluster's int_pack_cluster_completion's.
with deficits as (

    select * from {{ ref('fct_deficits') }}
    where year = {{ var('run_year') }}

),

entities as (

    select * from {{ ref('int_pack_entities') }}

),

clusters as (

    select * from {{ ref('int_pack_cluster_completion') }}
    where key_kind = 'task'

),

final as (

    select
        deficits.year,
        deficits.work,
        entities.mo_code,
        entities.school_code,
        deficits.level,
        deficits.entity_code,
        deficits.task,
        deficits.skill_code,
        deficits.level_of_task,
        deficits.participants,
        deficits.group_pupils,
        deficits.completion_pct,
        region.completion_pct as region_completion_pct,
        clusters.completion_pct as cluster_completion_pct,
        deficits.zone,
        deficits.deficit,
        deficits.priority
    from deficits
    inner join entities
        on deficits.level = entities.level
        and deficits.entity_code = entities.entity_code
    left join deficits as region
        on region.level = 'region'
        and deficits.year = region.year
        and deficits.work = region.work
        and deficits.task = region.task
    left join clusters
        on deficits.year = clusters.year
        and deficits.work = clusters.work
        and entities.cluster_name = clusters.cluster_name
        and deficits.task = clusters.key

)

select * from final
