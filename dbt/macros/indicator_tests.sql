{#-
    Generic data tests used by the indicator models (no dbt_utils here).
    ind_unique_combination: the listed columns form a unique key.
    ind_accepted_range: the column lies within [min_value, max_value] (null passes).
-#}
{% test ind_unique_combination(model, combination) %}

    select
        {{ combination | join(', ') }},
        count(*) as rows_with_key
    from {{ model }}
    group by {{ combination | join(', ') }}
    having count(*) > 1

{% endtest %}


{% test ind_accepted_range(model, column_name, min_value=none, max_value=none) %}

    select *
    from {{ model }}
    where {{ column_name }} is not null
        and (
            false
            {%- if min_value is not none %}
            or {{ column_name }} < {{ min_value }}
            {%- endif %}
            {%- if max_value is not none %}
            or {{ column_name }} > {{ max_value }}
            {%- endif %}
        )

{% endtest %}
