-- One row per task of every counted ГИА result (methodology, «ГИА tasks and risk zones»): the
-- task scores parsed from the answer strings (stg_gia11_tasks / stg_gia9_tasks), joined to the
-- participant's best counted sitting (int_ind_gia_results), so a retake counts once, at the school
-- of that sitting, like the indicators.
-- task_key: 'К<n>' for a short answer, 'Р<n>' for a criterion of a long answer.
-- max_score: the criterion's max for long answers and 1 for '+'/'-'; a digit of a multi-point
-- short answer carries no max in the string, so it takes the highest score seen for that task in
-- the year (a lower bound of the real max, which only a «План ГИА» would give).
-- score_group: ЕГЭ with test scores by band (below_min, min_60, 61_80, 81_100); Математика
-- базовая, ГВЭ and ОГЭ by mark (mark2 … mark5).
with results as (

    select * from {{ ref('int_ind_gia_results') }}

),

tasks as (

    select 'gia11' as exam, year, participant_id, subject_code, exam_date, part, task_no, score, max_score
    from {{ ref('stg_gia11_tasks') }}
    union all
    select 'gia9' as exam, year, participant_id, subject_code, exam_date, part, task_no, score, max_score
    from {{ ref('stg_gia9_tasks') }}

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
        results.participant_id,
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

seen_max as (

    -- the highest score seen per task and year: an aggregate joined back, which at 60 M task
    -- rows costs a third less than the same maximum as a window over every row
    select
        exam,
        year,
        gia_form,
        subject_code,
        part,
        task_no,
        max(score) as seen_max
    from joined
    group by exam, year, gia_form, subject_code, part, task_no

),

final as (

    select
        joined.exam,
        joined.year,
        joined.gia_form,
        joined.subject_code,
        joined.region_code,
        joined.mo_code,
        joined.school_code,
        joined.participant_id,
        joined.part,
        joined.task_no,
        concat(case when joined.part = 'short' then 'К' else 'Р' end, cast(joined.task_no as string)) as task_key,
        joined.score,
        coalesce(joined.max_score, seen_max.seen_max) as max_score,
        joined.score_group
    from joined
    left join seen_max
        on joined.exam = seen_max.exam
        and joined.year = seen_max.year
        and joined.gia_form is not distinct from seen_max.gia_form
        and joined.subject_code = seen_max.subject_code
        and joined.part is not distinct from seen_max.part
        and joined.task_no is not distinct from seen_max.task_no

)

select * from final
