{#
    Bitrix24's legacy methods return "0" for an empty link (COMPANY_ID: "0") and "" for empty
    strings; both become NULL so that joins and counts treat them as missing.
#}
{% macro bitrix24_nullif_zero(column) -%}
    nullif({{ column }}, 0)
{%- endmacro %}

{% macro bitrix24_nullif_blank(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}
