-- ВПР «Распределение первичных баллов» per work for the region, each municipality and school, in
-- one grouped pass: pupils per primary score (scores nobody got have no row), with the work's mark
-- boundaries (minimum score for «3», «4», «5») and maximum for drawing the histogram.
with pupil_works as (

    select * from {{ ref('int_vpr_pupil_works') }}
    where primary_score is not null

),

work_scales as (

    select
        year,
        work,
        max(work_max) as work_max,
        max(min_mark3) as min_mark3,
        max(min_mark4) as min_mark4,
        max(min_mark5) as min_mark5
    from pupil_works
    group by year, work

),

score_counts as (

    select
        year,
        work,
        primary_score,
        {{ entity_level_columns(['region', 'municipality', 'school']) }},
        count(*) as pupils
    from pupil_works
    group by {{ entity_grouping_sets(['year', 'work', 'primary_score'], ['region', 'municipality', 'school']) }}

),

final as (

    select
        score_counts.year::integer as year,
        score_counts.work,
        score_counts.level,
        score_counts.entity_code,
        score_counts.primary_score::integer as primary_score,
        score_counts.pupils::integer as pupils,
        work_scales.min_mark3::integer as min_mark3,
        work_scales.min_mark4::integer as min_mark4,
        work_scales.min_mark5::integer as min_mark5,
        work_scales.work_max::integer as work_max
    from score_counts
    inner join work_scales
        on score_counts.year = work_scales.year
        and score_counts.work = work_scales.work

)

select * from final
