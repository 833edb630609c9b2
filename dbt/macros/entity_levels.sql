{#-
    Grouping sets over the region -> municipality -> school -> class hierarchy, so every level of
    a report table is computed in one grouped pass. Usage:

        select year, work, {{ entity_level_columns(['region', 'municipality', 'school']) }}, count(*)
        from pupils
        group by {{ entity_grouping_sets(['year', 'work'], ['region', 'municipality', 'school']) }}

    The input needs region_code, mo_code, school_code (and class_key for 'class').
    entity_code is the region code, Код МО, Код ОО or class_key ('<Код ОО>/<Класс>').
-#}
{% macro _entity_level_keys(level) -%}
    {%- set keys = {
        'region': ['region_code'],
        'municipality': ['region_code', 'mo_code'],
        'school': ['region_code', 'mo_code', 'school_code'],
        'class': ['region_code', 'mo_code', 'school_code', 'class_key'],
    } -%}
    {{- return(keys[level]) -}}
{%- endmacro %}

{% macro entity_grouping_sets(keys, levels) -%}
    grouping sets (
    {%- for level in levels %}
        ({{ (keys + _entity_level_keys(level)) | join(', ') }}){{ ',' if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}

{% macro entity_level_columns(levels) -%}
    {%- set columns = {
        'class': 'class_key',
        'school': 'school_code',
        'municipality': 'mo_code',
        'region': 'region_code',
    } -%}
    {%- set ordered = ['class', 'school', 'municipality', 'region'] | select('in', levels) | list -%}
    case
    {%- for level in ordered[:-1] %}
        when grouping({{ columns[level] }}) = 0 then '{{ level }}'
    {%- endfor %}
        else '{{ ordered[-1] }}'
    end as level,
    case
    {%- for level in ordered[:-1] %}
        when grouping({{ columns[level] }}) = 0 then {{ columns[level] }}
    {%- endfor %}
        else {{ columns[ordered[-1]] }}
    end as entity_code
{%- endmacro %}
