-- The priority deficits of each school (fct_deficits.priority = 1, level school) with what a
-- recommendation cites: the school's, the region's and the cluster's completion, the gap and the
-- corrected p-value. Skills are ranked per school × work by their largest gap (ties by skill code,
-- then task), and named = 1 for the priority_max_skills_per_work (3) first skills: a school's
-- recommendation names those only (methodology, «Priority deficits»). A task without a skill code
-- counts as a skill of its own.
with params as (

    {{ seed_params('analysis_params', ['priority_max_skills_per_work']) }}

),

deficits as (

    select * from {{ ref('fct_deficits') }}
    where level = 'school'
        and priority = 1

),

candidates as (

    select * from {{ ref('int_vpr_priority_deficit_candidates') }}
    where level = 'school'

),

schools as (

    select school_code, mo_code, cluster_name from {{ ref('dim_schools') }}

),

skill_names as (

    select year, work, skill_code, skill_name from {{ ref('mart_vpr_skills') }}
    where level = 'region'

),

joined as (

    select
        deficits.year,
        deficits.work,
        schools.mo_code,
        schools.cluster_name,
        deficits.entity_code as school_code,
        deficits.task,
        deficits.skill_code,
        skill_names.skill_name,
        coalesce(deficits.skill_code, concat('#', deficits.task)) as skill_key,
        deficits.level_of_task,
        deficits.participants,
        deficits.completion_pct,
        candidates.region_completion_pct,
        candidates.cluster_completion_pct,
        candidates.gap_pp,
        candidates.p_bonferroni
    from deficits
    inner join candidates
        on deficits.year = candidates.year
        and deficits.work = candidates.work
        and deficits.entity_code = candidates.entity_code
        and deficits.task = candidates.task
    left join schools
        on deficits.entity_code = schools.school_code
    left join skill_names
        on deficits.year = skill_names.year
        and deficits.work = skill_names.work
        and deficits.skill_code = skill_names.skill_code

),

skill_gaps as (

    select
        joined.*,
        max(gap_pp) over (partition by year, work, school_code, skill_key) as skill_gap_pp
    from joined

),

ranked as (

    select
        skill_gaps.*,
        dense_rank() over (
            partition by year, work, school_code
            order by skill_gap_pp desc, skill_key
        ) as skill_rank
    from skill_gaps

),

final as (

    select
        ranked.year,
        ranked.work,
        ranked.mo_code,
        ranked.cluster_name,
        ranked.school_code,
        ranked.task,
        ranked.skill_code,
        ranked.skill_name,
        ranked.level_of_task,
        ranked.participants,
        ranked.completion_pct,
        ranked.region_completion_pct,
        ranked.cluster_completion_pct,
        ranked.gap_pp,
        ranked.p_bonferroni,
        cast(ranked.skill_rank as integer) as skill_rank,
        case when ranked.skill_rank <= params.priority_max_skills_per_work then 1 else 0 end as named
    from ranked
    cross join params

)

select * from final
