{#- Generic data test: the given columns identify a row (no dbt_utils here). -#}
{% test objectivity_unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as rows_per_key
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
