{#
    An aggregate: `value` of the row with the largest `order_by` in the group (one pass, where a
    row_number() window sorts the whole input). DuckDB has arg_max; PostgreSQL takes the first of
    the values ordered.
#}
{% macro value_at_max(value, order_by) -%}
    {{ return(adapter.dispatch('value_at_max')(value, order_by)) }}
{%- endmacro %}

{% macro default__value_at_max(value, order_by) -%}
    (array_agg({{ value }} order by {{ order_by }} desc))[1]
{%- endmacro %}

{% macro duckdb__value_at_max(value, order_by) -%}
    arg_max({{ value }}, {{ order_by }})
{%- endmacro %}
