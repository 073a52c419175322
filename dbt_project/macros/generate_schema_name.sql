{#
    Models land in exactly the schema their folder configures (staging, intermediate, marts),
    not dbt's default <target_schema>_<custom_schema>: the schema names are a contract (DESIGN §4).

    One exception: on a server database (PostgreSQL) BI reads schema `marts` in the same database the
    pipeline writes, so dbt builds the marts into `marts_build` (var marts_build_schema), where its
    incremental marts keep their state from build to build; `crm-warehouse publish` copies them into
    a fresh schema and swaps it in as `marts` in one transaction (docs/bi.md). On DuckDB BI reads a
    published file of its own, so the pipeline's file keeps `marts`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif custom_schema_name | trim == 'marts' and target.type != 'duckdb' -%}
        {{ var('marts_build_schema', 'marts_build') }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
