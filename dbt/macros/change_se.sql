{#-
    Standard error of the change of an indicator between two years (methodology, report section 2
    and «Dynamics over three years»), for two aliased rows of fct_indicators `cur` and `prev`:
      shares and completion (unit %): binomial, in percentage points,
          SE = 100 · sqrt(p1(1−p1)/n1 + p0(1−p0)/n0), p = value / 100, n = n_units;
      means (measure 'mean'): SE = sqrt(s1²/n1 + s0²/n0) with the sample variances
          s² = (Σx² − n·mean²) / (n − 1) (null when n < 2 in either year).
    Null when `prev` has no value. One definition for the year-on-year and the two-year change.
-#}
{% macro change_se(cur, prev, measure) -%}
    case
        when {{ prev }}.value is null then null
        when {{ measure }} = 'mean' then
            case when {{ cur }}.n_units >= 2 and {{ prev }}.n_units >= 2 then
                sqrt(
                    greatest({{ cur }}.sum_squares - {{ cur }}.n_units * power({{ cur }}.value, 2), 0)
                        / ({{ cur }}.n_units - 1) / {{ cur }}.n_units
                    + greatest({{ prev }}.sum_squares - {{ prev }}.n_units * power({{ prev }}.value, 2), 0)
                        / ({{ prev }}.n_units - 1) / {{ prev }}.n_units
                )
            end
        else 100.0e0 * sqrt(greatest(
            ({{ cur }}.value / 100.0e0) * (1 - {{ cur }}.value / 100.0e0) / {{ cur }}.n_units
            + ({{ prev }}.value / 100.0e0) * (1 - {{ prev }}.value / 100.0e0) / {{ prev }}.n_units,
            0
        ))
    end
{%- endmacro %}
