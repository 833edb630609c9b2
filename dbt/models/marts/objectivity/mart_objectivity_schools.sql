-- Every school that sat ВПР, per year <= run_year (the effectiveness analysis follows the schools listed
-- in Y-1; the published objectivity_schools.csv holds Y), with the number of distinct marker codes flagged across
-- its works; listed = 1 («ОО с признаками необъективности») when that number >= listed_min_markers (2).
with params as (

    {{ marker_params(['listed_min_markers']) }}

),

pupil_works as (

    select * from {{ ref('int_vpr_pupil_works') }}

),

markers as (

    select * from {{ ref('fct_objectivity_markers') }}

),

schools_sat as (

    select distinct
        year,
        school_code
    from pupil_works
    where year <= {{ var('run_year') }}

),

flagged_markers as (

    select
        year,
        school_code,
        count(distinct marker_code) as markers_flagged
    from markers
    where flagged = 1
    group by year, school_code

),

final as (

    select
        schools_sat.year::integer as year,
        schools_sat.school_code,
        coalesce(flagged_markers.markers_flagged, 0)::integer as markers_flagged,
        (coalesce(flagged_markers.markers_flagged, 0) >= params.listed_min_markers)::integer as listed
    from schools_sat
    left join flagged_markers
        on schools_sat.year = flagged_markers.year
        and schools_sat.school_code = flagged_markers.school_code
    cross join params

)

select * from final
