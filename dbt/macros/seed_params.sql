{#-
    One wide row of named parameters from a (parameter, value) seed:
    `seed_params('analysis_params', ['priority_alpha', 'priority_min_gap_pp'])` selects the columns
    priority_alpha, priority_min_gap_pp. Models cross join it, so every threshold is configuration.
    Written with plain conditional aggregates (no FILTER clause, no trailing comma) so that it
    runs on every adapter.
-#}
{% macro seed_params(seed, names) -%}
    select
    {%- for name in names %}
        max(case when parameter = '{{ name }}' then value end) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ ref(seed) }}
{%- endmacro %}
