{#
    quality.marts_catalog: what publishing needs to know of each mart, written by every build from
    the project itself, so the build and its description never disagree: the table's and each
    column's description from dbt docs (they become COMMENT ON in what BI reads) and the unique key
    an incremental mart is rebuilt by (with its built_at stamp, publishing copies only the rows
    written since the last publish). One row per mart (column_name null) and one per documented
    column.
#}
{% macro marts_catalog_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='quality', identifier='marts_catalog')) }}
{%- endmacro %}


{% macro sql_literal(text) -%}
    {{- "null" if text is none or text == "" else "'" ~ (text | string | replace("'", "''")) ~ "'" -}}
{%- endmacro %}


{% macro record_marts_catalog() -%}
    {%- if not execute or flags.WHICH not in ('build', 'run') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set rows = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.fqn[1] == 'marts'
            and node.config.enabled -%}
        {%- set table = node.alias or node.name -%}
        {%- set key = node.config.unique_key -%}
        {%- set key = (key | join(',')) if key is not string and key is not none else key -%}
        {%- set incremental = node.config.materialized == 'incremental' -%}
        {%- do rows.append("(" ~ sql_literal(table) ~ ", null, " ~ sql_literal(node.description) ~ ", "
            ~ sql_literal(key if incremental else none) ~ ")") -%}
        {%- for column in node.columns.values() -%}
            {%- do rows.append("(" ~ sql_literal(table) ~ ", " ~ sql_literal(column.name) ~ ", "
                ~ sql_literal(column.description) ~ ", null)") -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set relation = marts_catalog_relation() -%}
    create schema if not exists {{ relation.schema }};
    create table if not exists {{ relation }} (
        table_name {{ dbt.type_string() }},
        column_name {{ dbt.type_string() }},
        description {{ dbt.type_string() }},
        unique_key {{ dbt.type_string() }}
    );
    delete from {{ relation }};
    {% if rows %}insert into {{ relation }} values {{ rows | join(', ') }}{% endif %}
{%- endmacro %}
