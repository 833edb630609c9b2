-- The binomial upper tail macro (M3, M4) against scipy.stats.binom.sf(k - 1, n, p), computed
-- once with scipy 1.17 and pasted here; returns the cases off by more than 1e-9 relative.
with cases (k, n, p, scipy_tail) as (

    values
        (8, 10, 0.3, 0.0015903863999999995),
        (1, 30, 0.01, 0.2602996266117196),
        (25, 25, 0.6, 2.843028802992968e-06),
        (20, 60, 0.1, 7.822570930287395e-07),
        (150, 400, 0.3, 0.0007887170383214382),
        (12, 24, 0.18, 0.0003594809750958594),
        (300, 320, 0.97, 0.9992047699511659),
        (0, 10, 0.3, 1.0),
        (11, 10, 0.3, 0.0),
        (3, 7, 0.0, 0.0),
        (3, 7, 1.0, 1.0),
        (5, 5, 0.5, 0.03125)

),

computed as (

    select
        *,
        {{ binomial_upper_tail('k', 'n', 'p') }} as tail
    from cases

)

select *
from computed
where abs(tail - scipy_tail) > 1e-9 * greatest(scipy_tail, 1e-300)
    or tail is null
