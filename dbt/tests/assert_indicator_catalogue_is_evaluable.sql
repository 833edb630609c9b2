-- Every row of the indicator catalogue can be evaluated by int_indicator_components: a known
-- fact and measure, conditions that parse, columns the fact exposes (macro
-- indicator_fact_specs), filter parameters the fact supports, and the columns each measure
-- needs. A row that fails here would silently produce no or wrong values.
{%- set specs = indicator_fact_specs() %}
{%- set filter_parameters = indicator_filter_parameters() %}
with catalogue_rows as (

    select * from {{ ref('indicator_catalogue') }}

),

catalogue as (

    {{ indicator_catalogue_parsed(ref('indicator_catalogue')) }}

),

fact_columns as (

    select * from (values
    {%- for fact_name, spec in specs.items() %}
        {%- for column in spec.numbers %}
        ('{{ fact_name }}', '{{ column }}', 'number'),
        {%- endfor %}
        {%- for column in spec.lists %}
        ('{{ fact_name }}', '{{ column }}', 'list'),
        {%- endfor %}
    {%- endfor %}
        (null, null, null)
    ) as columns (fact, column_name, kind)

),

fact_filters as (

    select * from (values
    {%- for fact_name, spec in specs.items() %}
        {%- for parameter, column in filter_parameters.items() if column in spec.filters %}
        ('{{ fact_name }}', '{{ parameter }}'),
        {%- endfor %}
    {%- endfor %}
        (null, null)
    ) as filters (fact, parameter)

),

problems as (

    select code, 'unknown fact ' || coalesce(fact, '<empty>') as problem
    from catalogue
    where fact not in ({% for fact_name in specs %}'{{ fact_name }}'{{ ', ' if not loop.last }}{% endfor %})
        or fact is null

    union all

    select code, 'unknown measure ' || coalesce(measure, '<empty>')
    from catalogue
    where measure not in ('share', 'mean', 'ratio') or measure is null

    union all

    select catalogue.code, 'population does not parse: ' || catalogue_rows.population
    from catalogue
    inner join catalogue_rows on catalogue.code = catalogue_rows.code
    where nullif(trim(catalogue_rows.population), '') is not null and catalogue.population_op is null

    union all

    select catalogue.code, 'numerator does not parse: ' || catalogue_rows.numerator
    from catalogue
    inner join catalogue_rows on catalogue.code = catalogue_rows.code
    where nullif(trim(catalogue_rows.numerator), '') is not null and catalogue.numerator_op is null

    union all

    select code, 'share without a numerator condition'
    from catalogue
    where measure = 'share' and numerator_op is null

    union all

    select code, measure || ' without value_column'
    from catalogue
    where measure in ('mean', 'ratio') and value_column is null

    union all

    select code, 'ratio without denominator_column'
    from catalogue
    where measure = 'ratio' and denominator_column is null

    union all

    select catalogue.code, 'unknown ' || used.role || ' column ' || used.column_name || ' for fact ' || catalogue.fact
    from catalogue
    cross join lateral (
        select 'population' as role, catalogue.population_col as column_name,
            case when catalogue.population_op = 'has' then 'list' else 'number' end as kind
        union all
        select 'numerator', catalogue.numerator_col,
            case when catalogue.numerator_op = 'has' then 'list' else 'number' end
        union all
        select 'value', catalogue.value_column, 'number'
        union all
        select 'denominator', catalogue.denominator_column, 'number'
    ) as used
    left join fact_columns
        on catalogue.fact = fact_columns.fact
        and used.column_name = fact_columns.column_name
        and used.kind = fact_columns.kind
    where used.column_name is not null
        and fact_columns.column_name is null

    union all

    select code, 'comparison without a numeric value'
    from catalogue
    where (population_op in ('=', '<>', '<', '<=', '>', '>=') and population_num is null)
        or (numerator_op in ('=', '<>', '<', '<=', '>', '>=') and numerator_num is null)

    {%- for parameter in filter_parameters %}

    union all

    select catalogue_rows.code, 'parameter {{ parameter }} is not a filter of fact ' || catalogue_rows.fact
    from catalogue_rows
    left join fact_filters
        on catalogue_rows.fact = fact_filters.fact
        and fact_filters.parameter = '{{ parameter }}'
    where nullif(trim(catalogue_rows.{{ parameter }}::string), '') is not null
        and fact_filters.parameter is null
    {%- endfor %}

)

select * from problems
