-- Subject choices: one row per exam, year, category, participant, form and subject the
-- participant has *any* row for (any status: Неявка, Удалён … count as a choice), with
-- whether any of those sittings counted (Явка). Feeds P01–P08.
with sittings as (

    select * from {{ ref('int_gia_results') }}

),

final as (

    select
        exam,
        year,
        coalesce(category, '') as category,
        participant_id,
        gia_form,
        subject_code,
        count(*) as sittings,
        bool_or(is_counted) as has_counted
    from sittings
    where participant_id is not null
    group by all

)

select * from final
