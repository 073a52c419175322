{#
    Money in the account currency: the amount times the portal's current rate of its currency
    (1 when the rate is unknown), rounded to kopecks and kept decimal so sums stay exact.
    decimal(18, 2) — up to 10^16 — is stored in 64 bits: DuckDB reads a wider decimal's 128-bit
    column several times slower (the funnel tables' amounts: 0.83 s a scan of 25 M rows).
#}
{% macro to_account_currency(amount, rate) -%}
    cast(round({{ amount }} * coalesce({{ rate }}, 1), 2) as decimal(18, 2))
{%- endmacro %}
