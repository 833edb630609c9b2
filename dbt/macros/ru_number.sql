{#- A number for a Russian sentence: fixed decimals rounded half-up, decimal comma (35,4; 32,5 -> 33).
    The same text on DuckDB and Spark (printf rounded the binary double half-even). -#}
{% macro ru_number(expr, decimals=0) -%}
    replace(cast({{ round_half_up(expr, decimals) }} as string), '.', ',')
{%- endmacro %}

{#- The genitive after «из N» in a Russian sentence: singular after 1, 21, 31… (not 11), plural
    otherwise — «из 31 участника», «из 25 участников». `singular`/`plural` are the genitive forms. -#}
{% macro ru_of(expr, singular, plural) -%}
    case when ({{ expr }}) % 10 = 1 and ({{ expr }}) % 100 <> 11 then '{{ singular }}' else '{{ plural }}' end
{%- endmacro %}
