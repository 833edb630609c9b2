-- Every catalogue indicator (seed indicator_catalogue) evaluated over its fact, summed per
-- indicator, year and school (with the school's region and municipality on the unit's row):
-- numerator, denominator, sum_squares (means), n_units. Levels are rolled up in fct_indicators.
-- Facts and the columns the catalogue may use: macro indicator_fact_specs().
-- var indicator_codes (optional, unset = all): evaluate only these codes. The unit tests set it,
-- so that they check the real catalogue rows they pin and do not break when a row is added.
{%- set specs = indicator_fact_specs() %}
{%- set only_codes = var('indicator_codes', none) %}
with catalogue as (

    {{ indicator_catalogue_parsed(ref('indicator_catalogue')) }}
    {%- if only_codes %}
    where code in ({% for code in only_codes %}'{{ code }}'{{ ', ' if not loop.last }}{% endfor %})
    {%- endif %}

),
{% for fact_name, spec in specs.items() %}
{{ fact_name }}_components as (

    {{ indicator_components(fact_name, ref(spec.model), spec) }}

),
{% endfor %}
final as (
{% for fact_name in specs %}
    select * from {{ fact_name }}_components
    {%- if not loop.last %}
    union all{% endif %}
{%- endfor %}

)

select * from final
