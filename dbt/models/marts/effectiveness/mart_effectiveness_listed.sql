-- Every school listed in Y−1 («ОО с признаками необъективности», mart_objectivity_schools) and its
-- state in Y (methodology, «The management cycle»): the marker codes flagged in Y−1 and in Y, whether
-- it is listed again, and the measures of year Y that reached it (its own or its municipality's).
-- had_measures = 1 when one of them is an objectivity measure (seed measure_types: independent
-- observers, re-checking of works). cleared = 1 when the school sat ВПР in Y and is not listed;
-- null when it did not sit ВПР in Y (its state is unknown, not cleared). Rows for year Y only.
with listed_previous as (

    select * from {{ ref('mart_objectivity_schools') }}
    where year = {{ var('run_year') }} - 1
        and listed = 1

),

current_state as (

    select * from {{ ref('mart_objectivity_schools') }}
    where year = {{ var('run_year') }}

),

flagged as (

    select
        year,
        school_code,
        {{ ordered_string_agg('marker_code', ', ', 'marker_code', distinct=true) }} as marker_codes
    from {{ ref('fct_objectivity_markers') }}
    where flagged = 1
        and year between {{ var('run_year') }} - 1 and {{ var('run_year') }}
    group by year, school_code

),

school_measures as (

    select
        school_code,
        {{ ordered_string_agg('measure', '; ', 'measure', distinct=true) }} as measures,
        max(case when role = 'objectivity' then 1 else 0 end) as had_measures
    from {{ ref('int_measure_addressees') }}
    where year = {{ var('run_year') }}
    group by school_code

),

schools as (

    select * from {{ ref('dim_schools') }}

),

final as (

    select
        cast({{ var('run_year') }} as integer) as year,
        listed_previous.school_code,
        schools.mo_code,
        schools.cluster_name,
        listed_previous.markers_flagged as markers_flagged_previous,
        flagged_previous.marker_codes as markers_previous,
        current_state.markers_flagged,
        flagged_current.marker_codes as markers,
        case when current_state.school_code is not null then 1 else 0 end as sat_vpr,
        current_state.listed,
        case when current_state.school_code is null then null
             when current_state.listed = 0 then 1 else 0 end as cleared,
        coalesce(school_measures.had_measures, 0) as had_measures,
        school_measures.measures
    from listed_previous
    left join current_state
        on listed_previous.school_code = current_state.school_code
    left join flagged as flagged_previous
        on listed_previous.school_code = flagged_previous.school_code
        and flagged_previous.year = listed_previous.year
    left join flagged as flagged_current
        on listed_previous.school_code = flagged_current.school_code
        and flagged_current.year = {{ var('run_year') }}
    left join school_measures
        on listed_previous.school_code = school_measures.school_code
    left join schools
        on listed_previous.school_code = schools.school_code

)

select * from final
