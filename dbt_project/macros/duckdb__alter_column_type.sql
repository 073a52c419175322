{#
    on_schema_change='sync_all_columns' changes a column's type with dbt's default recipe (add a
    column, copy, drop, rename) inside the run's transaction; DuckDB then refuses the incremental
    model's delete+insert at commit ("another transaction has altered this table"). DuckDB changes
    a type in one statement, which commits with the rest.
#}
{% macro duckdb__alter_column_type(relation, column_name, new_column_type) -%}
    {% call statement('alter_column_type') %}
        alter table {{ relation.render() }} alter column {{ adapter.quote(column_name) }} type {{ new_column_type }}
    {% endcall %}
{%- endmacro %}
