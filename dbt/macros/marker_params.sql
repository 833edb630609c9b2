{#-
    One wide row of marker parameters read from the seed `marker_thresholds`
    (parameter, value): `marker_params(['alpha', 'm3_min_n'])` selects columns alpha, m3_min_n.
    Models cross join it, so every threshold is configuration, not code.
-#}
{% macro marker_params(names) -%}
    select
    {%- for name in names %}
        max(value) filter (where parameter = '{{ name }}') as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ ref('marker_thresholds') }}
{%- endmacro %}
