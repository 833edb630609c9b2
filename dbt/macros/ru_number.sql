{#- A number for a Russian sentence: fixed decimals, decimal comma (35,4). -#}
{% macro ru_number(expr, decimals=0) -%}
    replace(printf('%.{{ decimals }}f', ({{ expr }})::double), '.', ',')
{%- endmacro %}
