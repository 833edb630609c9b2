-- Objectivity markers M1–M6 per school x ВПР work of every year <= run_year (the published
-- objectivity_markers.csv holds Y; M6 reads the grade-4 works of the year before). A school x work not evaluated (< 10 pupils with an Отметка) has no row; an
-- evaluated one has M2–M5, M1 when the school has >= 10 counted ОГЭ results, M6 on grade-5
-- Русский язык / Математика when it was evaluated on the grade-4 work of Y-1. value is null where
-- a marker's own minimum is not met. explanation_ru: the numbers behind a flag, in Russian.
with markers as (

    select year, school_code, work, marker_code, value, threshold, flagged, explanation_ru from {{ ref('int_objectivity_m1') }}
    union all
    select year, school_code, work, marker_code, value, threshold, flagged, explanation_ru from {{ ref('int_objectivity_m2') }}
    union all
    select year, school_code, work, marker_code, value, threshold, flagged, explanation_ru from {{ ref('int_objectivity_m3') }}
    union all
    select year, school_code, work, marker_code, value, threshold, flagged, explanation_ru from {{ ref('int_objectivity_m4') }}
    union all
    select year, school_code, work, marker_code, value, threshold, flagged, explanation_ru from {{ ref('int_objectivity_m5') }}
    union all
    select year, school_code, work, marker_code, value, threshold, flagged, explanation_ru from {{ ref('int_objectivity_m6') }}

),

final as (

    select
        year::integer as year,
        school_code,
        work,
        marker_code,
        value::double as value,
        threshold::double as threshold,
        flagged::integer as flagged,
        case when flagged = 1 then explanation_ru end as explanation_ru
    from markers
    where year <= {{ var('run_year') }}

)

select * from final
