{#-
    Indicators from the registry (seed `indicator_catalogue`).

    Every indicator is a row of the catalogue evaluated over one *fact*: a table whose rows are the
    indicator's units (a ГИА result, a ГИА participant, a ВПР pupil-work, an admission) carrying
    year, region_code, mo_code, school_code (the unit's entities), the columns the catalogue may
    filter on, and the numeric / list columns its conditions may use.

    `indicator_fact_specs()` is the one list of facts. To add an indicator over an existing fact,
    add a catalogue row. To expose a new column to the catalogue, add it to the fact model and to
    its `numbers` (or `lists`) below. A new fact is a model plus one entry here.

    Conditions (`population`, `numerator` in the catalogue): `<column> <op> [<value>]`,
    op in = <> < <= > >= (numeric), notnull, has (list column contains the value).
-#}
{% macro indicator_fact_specs() -%}
    {{ return({
        'gia_result': {
            'model': 'int_ind_gia_results',
            'filters': ['exam', 'category', 'gia_form', 'subject_code'],
            'numbers': ['test_score', 'mark', 'primary_score', 'min_score', 'below_min'],
            'lists': [],
        },
        'gia_participant': {
            'model': 'int_ind_gia_participants',
            'filters': ['exam', 'category'],
            'numbers': [
                'has_counted_ege', 'max_ege_test_score', 'lacks_mandatory',
                'p08_evaluable', 'same_elective_oge_ege',
            ],
            'lists': ['choices'],
        },
        'vpr_pupil': {
            'model': 'int_ind_vpr_pupils',
            'filters': ['vpr_subject', 'grade'],
            'numbers': ['mark', 'primary_score', 'work_max', 'practice_score', 'practice_max', 'practice_cells'],
            'lists': [],
        },
        'admission': {
            'model': 'int_ind_admissions',
            'filters': [],
            'numbers': ['admitted', 'profile_matched', 'specialty_group'],
            'lists': [],
        },
    }) }}
{%- endmacro %}


{#- Catalogue filter parameter -> the fact column it filters (for validation). -#}
{% macro indicator_filter_parameters() -%}
    {{ return({
        'exam': 'exam',
        'category': 'category',
        'gia_form': 'gia_form',
        'subject_codes': 'subject_code',
        'exclude_subject_codes': 'subject_code',
        'vpr_subjects': 'vpr_subject',
        'grade_from': 'grade',
        'grade_to': 'grade',
    }) }}
{%- endmacro %}


{#- The catalogue with its list parameters split and its conditions parsed. -#}
{% macro indicator_catalogue_parsed(catalogue_relation) -%}
    {%- set condition_pattern = '^\\s*([A-Za-z_0-9]+)\\s*(<>|<=|>=|=|<|>|notnull|has)\\s*(.*?)\\s*$' -%}
    with catalogue_rows as (

        select * from {{ catalogue_relation }}

    ),

    conditions as (

        select
            *,
            regexp_extract(population, {{ regex_literal(condition_pattern) }}, 1) as population_col,
            regexp_extract(population, {{ regex_literal(condition_pattern) }}, 2) as population_op,
            regexp_extract(population, {{ regex_literal(condition_pattern) }}, 3) as population_val,
            regexp_extract(numerator, {{ regex_literal(condition_pattern) }}, 1) as numerator_col,
            regexp_extract(numerator, {{ regex_literal(condition_pattern) }}, 2) as numerator_op,
            regexp_extract(numerator, {{ regex_literal(condition_pattern) }}, 3) as numerator_val
        from catalogue_rows

    )

    select
        code,
        nullif(trim(fact), '') as fact,
        nullif(trim(measure), '') as measure,
        nullif(trim(exam), '') as exam,
        nullif(trim(category), '') as category,
        nullif(trim(gia_form), '') as gia_form,
        case when nullif(trim(subject_codes), '') is not null
            then {{ split_list('subject_codes', '|') }}
        end as subject_code_list,
        case when nullif(trim(exclude_subject_codes), '') is not null
            then {{ split_list('exclude_subject_codes', '|') }}
        end as exclude_subject_code_list,
        case when nullif(trim(vpr_subjects), '') is not null
            then {{ split_list('vpr_subjects', '|') }}
        end as vpr_subject_list,
        try_cast(nullif(trim(grade_from::string), '') as integer) as grade_from,
        try_cast(nullif(trim(grade_to::string), '') as integer) as grade_to,
        nullif(population_col, '') as population_col,
        nullif(population_op, '') as population_op,
        nullif(population_val, '') as population_val,
        try_cast(nullif(population_val, '') as double) as population_num,
        nullif(numerator_col, '') as numerator_col,
        nullif(numerator_op, '') as numerator_op,
        nullif(numerator_val, '') as numerator_val,
        try_cast(nullif(numerator_val, '') as double) as numerator_num,
        nullif(trim(value_column), '') as value_column,
        nullif(trim(denominator_column), '') as denominator_column
    from conditions
{%- endmacro %}


{#- A numeric fact column chosen by name at run time (null for an unknown name). -#}
{% macro _indicator_number(name_sql, numbers) -%}
    case {{ name_sql }}
    {%- for column in numbers %}
        when '{{ column }}' then facts.{{ column }}::double
    {%- endfor %}
    end
{%- endmacro %}


{#- A catalogue condition (prefix 'population' or 'numerator') on the fact row; true when empty. -#}
{% macro _indicator_condition(prefix, numbers, lists) -%}
    {%- set lhs = _indicator_number('catalogue.' ~ prefix ~ '_col', numbers) -%}
    {%- set rhs = 'catalogue.' ~ prefix ~ '_num' -%}
    case catalogue.{{ prefix }}_op
        when '=' then {{ lhs }} = {{ rhs }}
        when '<>' then {{ lhs }} <> {{ rhs }}
        when '<' then {{ lhs }} < {{ rhs }}
        when '<=' then {{ lhs }} <= {{ rhs }}
        when '>' then {{ lhs }} > {{ rhs }}
        when '>=' then {{ lhs }} >= {{ rhs }}
        when 'notnull' then {{ lhs }} is not null
    {%- if lists %}
        when 'has' then case catalogue.{{ prefix }}_col
        {%- for column in lists %}
            when '{{ column }}' then array_contains(facts.{{ column }}, catalogue.{{ prefix }}_val)
        {%- endfor %}
        end
    {%- endif %}
    end
{%- endmacro %}


{#- The catalogue's filter parameters that this fact supports, as one predicate. -#}
{% macro _indicator_filters(filters) -%}
    true
    {%- if 'exam' in filters %}
    and (catalogue.exam is null or facts.exam = catalogue.exam)
    {%- endif %}
    {%- if 'category' in filters %}
    and (catalogue.category is null or facts.category = catalogue.category)
    {%- endif %}
    {%- if 'gia_form' in filters %}
    and (catalogue.gia_form is null or facts.gia_form = catalogue.gia_form)
    {%- endif %}
    {%- if 'subject_code' in filters %}
    and (catalogue.subject_code_list is null or array_contains(catalogue.subject_code_list, cast(facts.subject_code as string)))
    and (catalogue.exclude_subject_code_list is null or not array_contains(catalogue.exclude_subject_code_list, cast(facts.subject_code as string)))
    {%- endif %}
    {%- if 'vpr_subject' in filters %}
    and (catalogue.vpr_subject_list is null or array_contains(catalogue.vpr_subject_list, facts.vpr_subject))
    {%- endif %}
    {%- if 'grade' in filters %}
    and (catalogue.grade_from is null or facts.grade >= catalogue.grade_from)
    and (catalogue.grade_to is null or facts.grade <= catalogue.grade_to)
    {%- endif %}
{%- endmacro %}


{#-
    Components of every catalogue indicator over one fact, summed per year and school
    (region_code, mo_code, school_code): numerator, denominator, sum_squares (means only, for the
    standard error of a change) and n_units (units behind the value: results, participants,
    pupils or admissions). `catalogue` must be a CTE built with `indicator_catalogue_parsed`.
    share: a unit adds 1 to the denominator and 1 to the numerator when it meets `numerator`;
    mean: a unit with a non-null value_column adds it to the numerator and 1 to the denominator;
    ratio: a unit adds value_column to the numerator and denominator_column to the denominator.
-#}
{% macro indicator_components(fact_name, fact_relation, spec) -%}
    select
        catalogue.code as indicator_code,
        facts.year,
        facts.region_code,
        facts.mo_code,
        facts.school_code,
        sum(case catalogue.measure
            when 'share' then case when {{ _indicator_condition('numerator', spec.numbers, spec.lists) }} then 1 else 0 end
            else {{ _indicator_number('catalogue.value_column', spec.numbers) }}
        end)::double as numerator,
        sum(case catalogue.measure
            when 'share' then 1
            when 'mean' then 1
            when 'ratio' then {{ _indicator_number('catalogue.denominator_column', spec.numbers) }}
        end)::double as denominator,
        sum(case when catalogue.measure = 'mean'
            then power({{ _indicator_number('catalogue.value_column', spec.numbers) }}, 2)
        end)::double as sum_squares,
        count(*) as n_units
    from {{ fact_relation }} as facts
    inner join catalogue
        on catalogue.fact = '{{ fact_name }}'
        and {{ _indicator_filters(spec.filters) }}
        and coalesce({{ _indicator_condition('population', spec.numbers, spec.lists) }}, catalogue.population_op is null)
    where catalogue.measure <> 'mean'
        or {{ _indicator_number('catalogue.value_column', spec.numbers) }} is not null
    group by all
{%- endmacro %}


{#-
    The three entity levels of an indicator in one grouped pass over school-grain rows:
    group by {{ indicator_level_grouping_sets(['year', 'indicator_code']) }} and select
    {{ indicator_level_columns() }}. A school is keyed by Код ОО alone, a municipality by
    Код МО, the region by its code (first two characters of Код ОО).
-#}
{% macro indicator_level_grouping_sets(keys) -%}
    grouping sets (
        ({{ (keys + ['region_code']) | join(', ') }}),
        ({{ (keys + ['mo_code']) | join(', ') }}),
        ({{ (keys + ['school_code']) | join(', ') }})
    )
{%- endmacro %}

{% macro indicator_level_columns() -%}
    case
        when grouping(school_code) = 0 then 'school'
        when grouping(mo_code) = 0 then 'municipality'
        else 'region'
    end as level,
    case
        when grouping(school_code) = 0 then school_code
        when grouping(mo_code) = 0 then mo_code
        else region_code
    end as entity_code
{%- endmacro %}


{#- An indicator's value from its pooled numerator and denominator (null when denominator 0). -#}
{% macro indicator_value(measure, numerator, denominator) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        when {{ measure }} = 'mean' then {{ numerator }} / {{ denominator }}
        else 100.0e0 * {{ numerator }} / {{ denominator }}
    end
{%- endmacro %}


{#-
    One wide row of the indicator settings (seed indicator_settings: parameter, value):
    `indicator_settings(['change_se_multiplier'])` selects column change_se_multiplier.
-#}
{% macro indicator_settings(names) -%}
    select
    {%- for name in names %}
        max(value) filter (where parameter = '{{ name }}') as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ ref('indicator_settings') }}
{%- endmacro %}
