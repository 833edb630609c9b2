{#-
    Binomial upper tail P(X >= k; n, p) as one set-based SQL expression: the sum over
    i = k..n of C(n, i) p^i (1-p)^(n-i), each term computed in log space with log-gamma so
    that large n does not overflow. The series has at most n - k + 1 terms (n = pupils of a
    school on a work), so the cost is bounded by n per row. Edge cases: k <= 0 -> 1,
    k > n -> 0, p <= 0 -> 0, p >= 1 -> 1; a null argument gives null.
    Checked against scipy.stats.binom.sf(k - 1, n, p) in tests/test_dbt_objectivity.py and by
    the data test assert_binomial_upper_tail_matches_scipy (on both engines).
    DuckDB has lgamma and list lambdas; Spark has neither lgamma nor DuckDB's lambda syntax, so
    its version sums with aggregate(sequence(...)) and a Lanczos log-gamma (_log_gamma below).
-#}
{% macro binomial_upper_tail(k, n, p) -%}
    case
        when ({{ k }}) <= 0 then cast(1.0 as double)
        when ({{ k }}) > ({{ n }}) then cast(0.0 as double)
        when ({{ p }}) <= 0 then cast(0.0 as double)
        when ({{ p }}) >= 1 then cast(1.0 as double)
        else least(cast(1.0 as double), {{ adapter.dispatch('binomial_tail_sum')(k, n, p) }})
    end
{%- endmacro %}

{% macro default__binomial_tail_sum(k, n, p) -%}
    /*duckdb*/ list_sum(list_transform(
            generate_series(({{ k }})::bigint, ({{ n }})::bigint),
            lambda i: exp(
                lgamma(({{ n }}) + 1) - lgamma(i + 1) - lgamma(({{ n }}) - i + 1)
                + i * ln(greatest(({{ p }})::double, 1e-300))
                + (({{ n }}) - i) * ln(greatest(1 - ({{ p }})::double, 1e-300))
            )
        )) /*end duckdb*/
{%- endmacro %}

{% macro spark__binomial_tail_sum(k, n, p) -%}
    aggregate(
            sequence(cast(({{ k }}) as bigint), cast(({{ n }}) as bigint)),
            cast(0 as double),
            (acc, i) -> acc + exp(
                {{ _log_gamma('(' ~ n ~ ') + 1') }} - {{ _log_gamma('i + 1') }} - {{ _log_gamma('(' ~ n ~ ') - i + 1') }}
                + i * ln(greatest(cast(({{ p }}) as double), 1e-300))
                + (({{ n }}) - i) * ln(greatest(1 - cast(({{ p }}) as double), 1e-300))
            )
        )
{%- endmacro %}

{#- ln Γ(x) for x >= 1 by the Lanczos approximation (g = 7, 9 coefficients; relative error of Γ
    about 1e-15), as plain arithmetic for engines without lgamma. -#}
{% macro _log_gamma(x) -%}
    {%- set c = ['0.99999999999980993e0', '676.5203681218851e0', '-1259.1392167224028e0',
                 '771.32342877765313e0', '-176.61502916214059e0', '12.507343278686905e0',
                 '-0.13857109526572012e0', '9.9843695780195716e-6', '1.5056327351493116e-7'] -%}
    {%- set z = '(cast(' ~ x ~ ' as double) - 1)' -%}
    (0.91893853320467274e0 + ({{ z }} + 0.5e0) * ln({{ z }} + 7.5e0) - ({{ z }} + 7.5e0)
        + ln({{ c[0] }}
        {%- for i in range(1, 9) %} + {{ c[i] }} / ({{ z }} + {{ i }}){% endfor %}))
{%- endmacro %}
