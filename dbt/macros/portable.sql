{#-
    Engine-specific SQL behind one name each, so the same models run on DuckDB (the embedded
    default) and on Spark (dbt-spark, for a federal or multi-region scale). Every function that
    differs between the two engines is here and nowhere else; models call these macros.

    The DuckDB bodies are wrapped in /*duckdb*/ … /*end duckdb*/: the portability lint
    (tests/test_dbt_portable_sql.py) compiles the project on DuckDB and checks the compiled SQL as
    Spark SQL, and a marked span is the one place where DuckDB-only syntax is expected.
-#}

{#- A 64-bit hash of a row's key columns, for surrogate ids and M5's vector fingerprints.
    Spark's hash() is 32-bit (about 8 collisions expected over 266 k pupil-works); xxhash64 is
    64-bit. The values differ between engines: compare tables without them. -#}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash')(columns)) }}
{%- endmacro %}

{% macro default__row_hash(columns) -%}
    /*duckdb*/ hash({{ columns | join(', ') }}) /*end duckdb*/
{%- endmacro %}

{% macro spark__row_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}


{#- A string split into a list of its parts at a one-character separator, blanks around the parts
    dropped ('1 | 2' -> ['1', '2']). Spark's split takes a regular expression, so the separator is
    put in a character class ([|]), which means the same on both engines. -#}
{% macro split_list(expr, separator) -%}
    {{ return(adapter.dispatch('split_list')(expr, separator)) }}
{%- endmacro %}

{% macro default__split_list(expr, separator) -%}
    /*duckdb*/ string_split_regex(trim({{ expr }}), ' *[{{ separator }}] *') /*end duckdb*/
{%- endmacro %}

{% macro spark__split_list(expr, separator) -%}
    split(trim({{ expr }}), ' *[{{ separator }}] *')
{%- endmacro %}


{#- One row per element of a list (in the select list). -#}
{% macro explode_list(expr) -%}
    {{ return(adapter.dispatch('explode_list')(expr)) }}
{%- endmacro %}

{% macro default__explode_list(expr) -%}
    /*duckdb*/ unnest({{ expr }}) /*end duckdb*/
{%- endmacro %}

{% macro spark__explode_list(expr) -%}
    explode({{ expr }})
{%- endmacro %}


{#- A list literal from expressions. -#}
{% macro make_list(items) -%}
    {{ return(adapter.dispatch('make_list')(items)) }}
{%- endmacro %}

{% macro default__make_list(items) -%}
    /*duckdb*/ list_value({{ items | join(', ') }}) /*end duckdb*/
{%- endmacro %}

{% macro spark__make_list(items) -%}
    array({{ items | join(', ') }})
{%- endmacro %}


{#- The sorted list of a group's values (an aggregate). -#}
{% macro sorted_list_agg(expr) -%}
    {{ return(adapter.dispatch('sorted_list_agg')(expr)) }}
{%- endmacro %}

{% macro default__sorted_list_agg(expr) -%}
    /*duckdb*/ list_sort(list({{ expr }})) /*end duckdb*/
{%- endmacro %}

{% macro spark__sorted_list_agg(expr) -%}
    array_sort(collect_list({{ expr }}))
{%- endmacro %}


{#- A struct from named fields, given as a mapping name -> expression (insertion order kept).
    Structs compare field by field on both engines, so a struct key makes max_by deterministic. -#}
{% macro make_struct(fields) -%}
    {{ return(adapter.dispatch('make_struct')(fields)) }}
{%- endmacro %}

{% macro default__make_struct(fields) -%}
    /*duckdb*/ struct_pack(
    {%- for name, expr in fields.items() %}
        {{ name }} := {{ expr }}{{ ',' if not loop.last }}
    {%- endfor %}
    ) /*end duckdb*/
{%- endmacro %}

{% macro spark__make_struct(fields) -%}
    named_struct(
    {%- for name, expr in fields.items() %}
        '{{ name }}', {{ expr }}{{ ',' if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}


{#- string_agg in a given order (dbt.listagg ignores the order on Spark). Nulls are skipped on
    both engines; `distinct` needs order_by to be the aggregated expression itself. -#}
{% macro ordered_string_agg(expr, separator, order_by, distinct=false) -%}
    {{ return(adapter.dispatch('ordered_string_agg')(expr, separator, order_by, distinct)) }}
{%- endmacro %}

{#- On DuckDB an ordered aggregate buffers and sorts every group apart, which at 18 M cells (the
    pupils' lists of the school packs, large scale) took 2.7 times as long as collecting each
    group's values unordered with their sort keys and sorting the small lists: the same strings,
    nulls skipped, null (not '') for a group without a value. -#}
{% macro default__ordered_string_agg(expr, separator, order_by, distinct) -%}
    {%- if distinct -%}
    /*duckdb*/ string_agg(distinct {{ expr }}, '{{ separator }}' order by {{ order_by }}) /*end duckdb*/
    {%- else -%}
    /*duckdb*/ array_to_string(list_transform(list_sort(list(struct_pack(
        {%- for key in order_by.split(',') %}k{{ loop.index }} := {{ key | trim }}, {% endfor -%}
        value := {{ expr }}
    )) filter (where ({{ expr }}) is not null)), lambda item: item.value), '{{ separator }}') /*end duckdb*/
    {%- endif -%}
{%- endmacro %}

{% macro spark__ordered_string_agg(expr, separator, order_by, distinct) -%}
    listagg({{ 'distinct ' if distinct }}{{ expr }}, '{{ separator }}') within group (order by {{ order_by }})
{%- endmacro %}


{#- A regular expression as a string literal. Spark unescapes backslashes in literals ('\s'
    becomes 's' and silently matches nothing), so there each backslash is doubled. -#}
{% macro regex_literal(pattern) -%}
    {{ return(adapter.dispatch('regex_literal')(pattern)) }}
{%- endmacro %}

{% macro default__regex_literal(pattern) -%}
    /*duckdb*/ '{{ pattern }}' /*end duckdb*/
{%- endmacro %}

{% macro spark__regex_literal(pattern) -%}
    '{{ pattern | replace("\\", "\\\\") }}'
{%- endmacro %}


{#- A number rounded half-up (away from zero) at `decimals` places, as a methodologist reads it:
    32.5 -> 33 (printf rounds the binary double half-even: 32). The double goes through a decimal
    of scale 10 first, so both engines round the same decimal value (2.675 -> 2.68). Plain SQL
    that both engines run alike: no dispatch needed. -#}
{% macro round_half_up(expr, decimals=0) -%}
    cast(round(cast(({{ expr }}) as decimal(38, 10)), {{ decimals }}) as decimal(38, {{ decimals }}))
{%- endmacro %}


{#- A float sum (or mean) added up in a fixed order, so a rerun gives the same bits: DuckDB's
    ordered aggregate; on Spark the (order key, value) pairs are sorted and folded left to right.
    Nulls are skipped and no value gives null, as in sum/avg. -#}
{% macro ordered_sum(expr, order_by) -%}
    {{ return(adapter.dispatch('ordered_sum')(expr, order_by)) }}
{%- endmacro %}

{% macro default__ordered_sum(expr, order_by) -%}
    /*duckdb*/ sum({{ expr }} order by {{ order_by }}) /*end duckdb*/
{%- endmacro %}

{% macro spark__ordered_sum(expr, order_by) -%}
    case when count({{ expr }}) > 0 then aggregate(
        array_sort(collect_list(case when ({{ expr }}) is not null
            then named_struct('k', {{ order_by }}, 'v', cast({{ expr }} as double)) end)),
        cast(0 as double),
        (acc, pair) -> acc + pair.v
    ) end
{%- endmacro %}

{% macro ordered_avg(expr, order_by) -%}
    {{ return(adapter.dispatch('ordered_avg')(expr, order_by)) }}
{%- endmacro %}

{% macro default__ordered_avg(expr, order_by) -%}
    /*duckdb*/ avg({{ expr }} order by {{ order_by }}) /*end duckdb*/
{%- endmacro %}

{% macro spark__ordered_avg(expr, order_by) -%}
    ({{ spark__ordered_sum(expr, order_by) }}) / count({{ expr }})
{%- endmacro %}

{#- var_samp / stddev_samp in a fixed order (DuckDB's ordered aggregate: the same bits on a rerun).
    Spark has no ordered aggregates; its own var_samp differs from DuckDB's in the last bits only. -#}
{% macro ordered_spread(func, expr, order_by) -%}
    {{ return(adapter.dispatch('ordered_spread')(func, expr, order_by)) }}
{%- endmacro %}

{% macro default__ordered_spread(func, expr, order_by) -%}
    /*duckdb*/ {{ func }}({{ expr }} order by {{ order_by }}) /*end duckdb*/
{%- endmacro %}

{% macro spark__ordered_spread(func, expr, order_by) -%}
    {{ func }}({{ expr }})
{%- endmacro %}
