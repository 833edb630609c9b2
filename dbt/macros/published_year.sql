{#-
    The year whose markers, deficits and task-level ВПР tables are computed: the run's year Y
    (methodology, «Conventions»: indicators for every year <= Y, for dynamics; markers, deficits
    and the report for Y only). Task-level models are the largest of the warehouse (~18 M cells a
    year in a large region), so computing them for Y alone is also what keeps a run fast.
    `dbt build` needs `--vars '{"run_year": Y}'` (rsoko and Dagster pass it).
-#}
{% macro published_year() -%}
    {{ var('run_year') }}
{%- endmacro %}
