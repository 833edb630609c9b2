-- M6 «Падение результатов в следующем году», attached to the grade-5 work of year Y.
-- For the subjects of the seed marker_cohort_subjects (Русский язык, Математика: grade 4 -> 5):
-- a row when the school was evaluated (>= 10 pupils with an Отметка) on the grade-4 work of Y-1
-- and on the grade-5 work of Y. Flagged when its percent rank on the grade-4 work in Y-1 >=
-- m6_rank_prev_min (90) and on the grade-5 work in Y < m6_rank_cur_max (50).
-- value = rank in Y-1, threshold = m6_rank_prev_min.
with params as (

    {{ marker_params(['m6_rank_prev_min', 'm6_rank_cur_max']) }}

),

cohort_subjects as (

    select * from {{ ref('marker_cohort_subjects') }}

),

school_works as (

    select * from {{ ref('int_vpr_school_works') }}
    where is_evaluated

),

cohorts as (

    select
        current_works.year,
        current_works.school_code,
        current_works.work,
        current_works.rank_pct,
        previous_works.year as previous_year,
        previous_works.work as previous_work,
        previous_works.rank_pct as previous_rank_pct
    from school_works as current_works
    inner join cohort_subjects
        on current_works.subject = cohort_subjects.subject
        and current_works.grade = cohort_subjects.grade_to
    inner join school_works as previous_works
        on previous_works.year = current_works.year - 1
        and previous_works.school_code = current_works.school_code
        and previous_works.subject = cohort_subjects.subject
        and previous_works.grade = cohort_subjects.grade_from

),

final as (

    select
        cohorts.year,
        cohorts.school_code,
        cohorts.work,
        'M6' as marker_code,
        cohorts.previous_rank_pct::double as value,
        params.m6_rank_prev_min::double as threshold,
        coalesce(
            cohorts.previous_rank_pct >= params.m6_rank_prev_min
            and cohorts.rank_pct < params.m6_rank_cur_max,
            false
        )::integer as flagged,
        case
            when cohorts.previous_rank_pct >= params.m6_rank_prev_min
                and cohorts.rank_pct < params.m6_rank_cur_max then
                'в ' || cohorts.previous_year || ' г. по ' || cohorts.previous_work
                || ' процентильный ранг ОО был ' || {{ ru_number('cohorts.previous_rank_pct') }}
                || ', а в ' || cohorts.year || ' г. по ' || cohorts.work || ' — '
                || {{ ru_number('cohorts.rank_pct') }}
        end as explanation_ru,
        cohorts.previous_rank_pct,
        cohorts.rank_pct
    from cohorts
    cross join params

)

select * from final
