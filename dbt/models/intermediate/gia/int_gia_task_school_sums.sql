-- ГИА task scores summed per school, score group and task (methodology, «ГИА tasks and risk
-- zones»): the task scores parsed from the answer strings (stg_gia11_tasks / stg_gia9_tasks) of
-- every counted result — the participant's best counted sitting (int_ind_gia_results), so a retake
-- counts once, at the school of that sitting, like the indicators. The published year only: the
-- report and gia_tasks.csv hold Y, and the methodology computes every year present for
-- indicators, markers and deficits, not for the task completion of ГИА (2/3 of this model's time
-- at large scale went to the years before).
-- Summed here rather than kept row by row: every use (the completion of a task in the region, a
-- municipality or a school, per score group; the length of the short part) is a sum, a count or a
-- maximum over these rows, and one row per task of every result is 60 M rows at large scale.
-- task_key: 'К<n>' for a short answer, 'Р<n>' for a criterion of a long answer.
-- The maximum of a task: the criterion's max for long answers and 1 for '+'/'-' (max_score in
-- the string); a digit of a multi-point short answer carries none, so it takes the highest score
-- seen for that task in the year (a lower bound of the real max, which only a «План ГИА» would
-- give) — seen_max here is this school's highest, mart_gia_task_completion takes the highest over
-- the schools. Rows whose maximum is not positive count for nothing.
-- score_group: ЕГЭ with test scores by band (below_min, min_60, 61_80, 81_100); Математика
-- базовая, ГВЭ and ОГЭ by mark (mark2 … mark5).
with results as (

    select * from {{ ref('int_ind_gia_results') }}
    where year = {{ var('run_year') }}

),

tasks as (

    select 'gia11' as exam, year, participant_id, subject_code, exam_date, part, task_no, score, max_score
    from {{ ref('stg_gia11_tasks') }}
    where year = {{ var('run_year') }}
    union all
    select 'gia9' as exam, year, participant_id, subject_code, exam_date, part, task_no, score, max_score
    from {{ ref('stg_gia9_tasks') }}
    where year = {{ var('run_year') }}

),

joined as (

    select
        results.exam,
        results.year,
        results.gia_form,
        results.subject_code,
        results.region_code,
        results.mo_code,
        results.school_code,
        tasks.part,
        tasks.task_no,
        tasks.score,
        tasks.max_score,
        case
            when results.gia_form = 'ЕГЭ' and results.subject_code <> 22 then
                case
                    when results.below_min = 1 then 'below_min'
                    when results.test_score <= 60 then 'min_60'
                    when results.test_score <= 80 then '61_80'
                    else '81_100'
                end
            when results.mark is not null then concat('mark', cast(results.mark as string))
        end as score_group
    from tasks
    inner join results
        on tasks.exam = results.exam
        and tasks.year = results.year
        and tasks.participant_id = results.participant_id
        and tasks.subject_code = results.subject_code
        and tasks.exam_date = results.exam_date

),

final as (

    select
        exam,
        year,
        gia_form,
        subject_code,
        region_code,
        mo_code,
        school_code,
        score_group,
        part,
        task_no,
        concat(case when part = 'short' then 'К' else 'Р' end, cast(task_no as string)) as task_key,
        count(*) as task_rows,
        count(*) - count(score) as unscored_rows,
        max(score) as seen_max,
        -- rows whose string gives the maximum, when it is positive
        sum(case when max_score > 0 then 1 else 0 end) as given_rows,
        sum(case when max_score > 0 then score else 0 end) as given_score_sum,
        sum(case when max_score > 0 then max_score else 0 end) as given_max_sum,
        -- rows whose maximum is the highest score seen
        sum(case when max_score is null then 1 else 0 end) as open_rows,
        sum(case when max_score is null then score else 0 end) as open_score_sum
    from joined
    group by exam, year, gia_form, subject_code, region_code, mo_code, school_code, score_group, part, task_no

)

select * from final
