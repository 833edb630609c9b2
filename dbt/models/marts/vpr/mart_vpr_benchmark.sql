-- vpr_benchmark.csv: the ФИС ОКО «Статистика по отметкам» forms as delivered, one row per group
-- (`group` russia for «Вся выборка» — the federal benchmark —, region, municipality, school);
-- mark2..mark5 are the delivered percentages.
with groups as (

    select * from {{ ref('int_vpr_form_groups') }}
    where form = 'marks'

),

final as (

    select
        year,
        work,
        level as group_level,
        entity_code,
        group_name,
        group_order,
        schools,
        participants,
        mark2,
        mark3,
        mark4,
        mark5,
        _source_file
    from groups

)

select * from final
