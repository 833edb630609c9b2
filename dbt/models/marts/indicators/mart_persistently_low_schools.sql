-- Schools «с устойчиво низкими результатами»: the percent_rank() of the school's results_index
-- among the schools with a results_index is <= 0.10 (seed indicator_settings) in year Y and in
-- year Y−1. One row per year and listed school.
with settings as (

    {{ indicator_settings(['low_results_max_percent_rank']) }}

),

school_index as (

    select * from {{ ref('mart_index') }}
    where level = 'school'
        and results_index is not null

),

ranked as (

    select
        year,
        entity_code as school_code,
        percent_rank() over (partition by year order by results_index) as percent_rank
    from school_index

),

final as (

    select
        current_year.year,
        current_year.school_code,
        current_year.percent_rank as percent_rank_y,
        previous_year.percent_rank as percent_rank_prev
    from ranked as current_year
    inner join ranked as previous_year
        on current_year.school_code = previous_year.school_code
        and current_year.year - 1 = previous_year.year
    cross join settings
    where current_year.percent_rank <= settings.low_results_max_percent_rank
        and previous_year.percent_rank <= settings.low_results_max_percent_rank

)

select * from final
