{#
    A source table with every expected column: the columns it lacks become typed NULLs, and a
    missing table becomes an empty one, so models compile on any warehouse (a portal without
    telephony has no calls table; a warehouse without business inputs has no plans).
    `columns` maps column name -> text | bigint | numeric | boolean | date | timestamptz | float | json.
#}
{% macro source_with_columns(relation, columns) -%}
    {%- set missing = [] -%}
    {%- set exists = true -%}
    {%- if execute -%}
        {%- set exists = load_relation(relation) is not none -%}
        {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list
            if exists else [] -%}
        {%- for column, kind in columns.items() -%}
            {%- if column not in present -%}
                {%- do missing.append((column, kind)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set sql_types = {
        'text': dbt.type_string(), 'bigint': dbt.type_bigint(), 'numeric': 'numeric(20, 4)',
        'boolean': dbt.type_boolean(), 'date': 'date', 'timestamptz': 'timestamp with time zone',
        'float': dbt.type_float(), 'json': 'json',
    } -%}
    {%- if exists %}
    select
        *
        {%- for column, kind in missing %},
        cast(null as {{ sql_types[kind] }}) as {{ column }}
        {%- endfor %}
    from {{ relation }}
    {%- else %}
    select
        {%- for column, kind in missing %}
        cast(null as {{ sql_types[kind] }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- endif %}
{%- endmacro %}
