{#-
    Upper tail of the standard normal distribution, P(Z >= z) = erfc(z / sqrt 2) / 2, as plain
    arithmetic (exp, sqrt, abs) so that it runs on every adapter (DuckDB has no erf/erfc).
    erfc is the Chebyshev fit of Numerical Recipes («erfcc»), fractional error below 1.2e-7
    everywhere, which is far inside what a test at α = 0.05 can notice.
    Used by the one-sided test of priority deficits; checked against scipy.stats.norm.sf in
    tests/test_priority_deficits.py. A null z gives null.
-#}
{% macro normal_upper_tail(z) -%}
    {%- set x = '(abs(' ~ z ~ ') / sqrt(2.0))' -%}
    {%- set t = '(1.0e0 / (1.0 + 0.5e0 * ' ~ x ~ '))' -%}
    (case
        when ({{ z }}) is null then null
        else
            (case when ({{ z }}) >= 0 then 1.0 else -1.0 end) * 0.5e0 * (
                {{ t }} * exp(-{{ x }} * {{ x }} - 1.26551223 + {{ t }} * (1.00002368 + {{ t }} * (0.37409196
                + {{ t }} * (0.09678418 + {{ t }} * (-0.18628806 + {{ t }} * (0.27886807 + {{ t }} * (-1.13520398
                + {{ t }} * (1.48851587 + {{ t }} * (-0.82215223 + {{ t }} * 0.17087277e0)))))))))
            ) + (case when ({{ z }}) >= 0 then 0.0 else 1.0 end)
    end)
{%- endmacro %}
