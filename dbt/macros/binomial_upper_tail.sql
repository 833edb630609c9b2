{#-
    Binomial upper tail P(X >= k; n, p) as one set-based SQL expression: the sum over
    i = k..n of C(n, i) p^i (1-p)^(n-i), each term computed in log space with lgamma so
    that large n does not overflow. The series has at most n - k + 1 terms (n = pupils of a
    school on a work), so the cost is bounded by n per row. Edge cases: k <= 0 -> 1,
    k > n -> 0, p <= 0 -> 0, p >= 1 -> 1; a null argument gives null.
    Checked against scipy.stats.binom.sf(k - 1, n, p) in tests/test_dbt_objectivity.py.
-#}
{% macro binomial_upper_tail(k, n, p) -%}
    case
        when ({{ k }}) <= 0 then 1.0::double
        when ({{ k }}) > ({{ n }}) then 0.0::double
        when ({{ p }}) <= 0 then 0.0::double
        when ({{ p }}) >= 1 then 1.0::double
        else least(1.0, list_sum(list_transform(
            generate_series(({{ k }})::bigint, ({{ n }})::bigint),
            lambda i: exp(
                lgamma(({{ n }}) + 1) - lgamma(i + 1) - lgamma(({{ n }}) - i + 1)
                + i * ln(greatest(({{ p }})::double, 1e-300))
                + (({{ n }}) - i) * ln(greatest(1 - ({{ p }})::double, 1e-300))
            )
        )))
    end
{%- endmacro %}
