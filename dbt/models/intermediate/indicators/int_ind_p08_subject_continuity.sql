-- P08: ОГЭ (Y−2) ↔ ЕГЭ (Y) linkage by ID участника. One row per ГИА-11 participant of year Y
-- (category kept; P08 uses ВТГ) for the years Y whose ГИА-9 of Y−2 is present in the
-- warehouse (any row); other years have no row, so P08 has no value for them.
-- same_elective_oge_ege = 1 when the participant's elective ЕГЭ subjects chosen in Y (any row,
-- any status) intersect their elective ОГЭ subjects chosen in Y−2. Electives: not compulsory in
-- the seed `subjects` (1, 2, 22). A participant without an ОГЭ record in Y−2 has a row with
-- has_oge_record = 0 and same_elective_oge_ege = 0 (in P08's denominator, not its numerator).
with choices as (

    select * from {{ ref('int_ind_gia_choices') }}

),

subjects as (

    select * from {{ ref('subjects') }}

),

gia9_years as (

    select distinct year from {{ ref('int_gia_results') }}
    where exam = 'gia9'

),

electives as (

    select choices.*
    from choices
    left join subjects
        on choices.subject_code = subjects.subject_code
    where not coalesce(subjects.compulsory, choices.subject_code in (1, 2, 22))

),

ege_participants as (

    select distinct
        choices.year,
        choices.category,
        choices.participant_id
    from choices
    inner join gia9_years
        on choices.year - 2 = gia9_years.year
    where choices.exam = 'gia11'

),

oge_participants as (

    select distinct
        year,
        participant_id
    from choices
    where exam = 'gia9'

),

ege_electives as (

    select * from electives
    where exam = 'gia11' and gia_form = 'ЕГЭ'

),

oge_electives as (

    select * from electives
    where exam = 'gia9' and gia_form = 'ОГЭ'

),

same_subjects as (

    select
        ege_electives.year,
        ege_electives.category,
        ege_electives.participant_id,
        count(distinct ege_electives.subject_code) as same_subjects
    from ege_electives
    inner join oge_electives
        on ege_electives.participant_id = oge_electives.participant_id
        and ege_electives.year - 2 = oge_electives.year
        and ege_electives.subject_code = oge_electives.subject_code
    group by all

),

final as (

    select
        ege_participants.year,
        ege_participants.category,
        ege_participants.participant_id,
        (oge_participants.participant_id is not null)::integer as has_oge_record,
        coalesce(same_subjects.same_subjects, 0) as same_subjects,
        (coalesce(same_subjects.same_subjects, 0) > 0)::integer as same_elective_oge_ege
    from ege_participants
    left join oge_participants
        on ege_participants.participant_id = oge_participants.participant_id
        and ege_participants.year - 2 = oge_participants.year
    left join same_subjects
        on ege_participants.year = same_subjects.year
        and ege_participants.category = same_subjects.category
        and ege_participants.participant_id = same_subjects.participant_id

)

select * from final
