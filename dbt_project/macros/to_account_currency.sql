{#
    Money in the account currency: the amount times the portal's current rate of its currency
    (1 when the rate is unknown), rounded to kopecks and kept decimal so sums stay exact.
#}
{% macro to_account_currency(amount, rate) -%}
    cast(round({{ amount }} * coalesce({{ rate }}, 1), 2) as decimal(20, 2))
{%- endmacro %}
