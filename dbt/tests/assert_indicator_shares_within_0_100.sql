-- Shares and completion percentages (catalogue unit %) lie within 0–100, and a share's
-- numerator never exceeds its denominator.
with indicators as (

    select * from {{ ref('fct_indicators') }}

),

catalogue as (

    select * from {{ ref('indicator_catalogue') }}

)

select indicators.*
from indicators
inner join catalogue
    on indicators.indicator_code = catalogue.code
where catalogue.unit = '%'
    and (
        indicators.value < 0
        or indicators.value > 100
        or indicators.numerator > indicators.denominator
    )
