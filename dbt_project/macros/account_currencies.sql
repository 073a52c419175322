{# A portal's account currency, as its reports show amounts: its base currency (crm.currency.list BASE = Y). #}
{% macro account_currencies(currencies) -%}
    select portal_id, min(currency_id) as base_currency_id
    from {{ currencies }}
    where is_base
    group by portal_id
{%- endmacro %}
