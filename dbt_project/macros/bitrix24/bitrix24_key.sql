{#
    The string key of a Bitrix24 record: '<portal_id>:<id>'. IDs are unique per portal only, so
    every staging model pairs them with portal_id; this one column is what unique tests check.
#}
{% macro bitrix24_key(id_column) -%}
    portal_id || ':' || cast({{ id_column }} as {{ dbt.type_string() }})
{%- endmacro %}
