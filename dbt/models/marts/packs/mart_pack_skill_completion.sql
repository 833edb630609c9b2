-- School packs: completion of every checked skill (Код умения) by a school and by each of its
-- classes beside the region and the school's cluster, for the published year. The school's,
-- classes' and region's rows are mart_vpr_skills' own («Достижение планируемых результатов»); the
-- cluster's completion is int_pack_cluster_completion's (all tasks of the skill, pooled).
with skills as (

    select * from {{ ref('mart_vpr_skills') }}
    where year = {{ var('run_year') }}

),

entities as (

    select * from {{ ref('int_pack_entities') }}

),

clusters as (

    select * from {{ ref('int_pack_cluster_completion') }}
    where key_kind = 'skill'

),

final as (

    select
        skills.year,
        skills.work,
        entities.mo_code,
        entities.school_code,
        skills.level,
        skills.entity_code,
        skills.skill_code,
        skills.skill_name,
        skills.participants,
        skills.completion_pct,
        region.completion_pct as region_completion_pct,
        clusters.completion_pct as cluster_completion_pct
    from skills
    inner join entities
        on skills.level = entities.level
        and skills.entity_code = entities.entity_code
    left join skills as region
        on region.level = 'region'
        and skills.year = region.year
        and skills.work = region.work
        and skills.skill_code = region.skill_code
    left join clusters
        on skills.year = clusters.year
        and skills.work = clusters.work
        and entities.cluster_name = clusters.cluster_name
        and skills.skill_code = clusters.key

)

select * from final
