{#
    Retired rows: what lets a table of sums follow a big incremental model by adding and
    subtracting instead of re-reading it whole.

    An incremental model configured with incremental_strategy='delete+insert+retire' copies every
    row a run replaces (delete+insert by unique_key) or drops (meta.dropped_keys) into
    `intermediate.<model>__retired`, stamped retired_at = the run's start. Each retiring model has
    one sums model reading its retired rows: that reader prunes them. A sums model then adds the rows
    stamped (built_at) since its own newest row and subtracts the retired rows it had counted
    (built before its newest row, retired since), and prunes what it has read.

    Only the columns the sums model reads are retired (config meta.retired_columns, built_at among
    them): copying every column of the replaced rows cost twice as much.

    The retired table also holds one sentinel row (built_at NULL): when retiring began. It is
    (re)created when the model is built whole, first retires rows, or changes columns; a sums
    model older than the sentinel cannot trust the retired rows and recomputes every group.
#}

{# in the intermediate schema whatever the model's: a mart's retired rows are not for BI #}
{% macro retired_rows_relation(relation) -%}
    {{ return(api.Relation.create(database=relation.database, schema='intermediate',
                                  identifier=relation.identifier ~ '__retired', type='table')) }}
{%- endmacro %}


{# the columns a model retires: meta.retired_columns, or all of them #}
{% macro retired_columns(relation) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set named = config.get('meta', {}).get('retired_columns') -%}
    {{ return(named or adapter.get_columns_in_relation(relation) | map(attribute='name') | list) }}
{%- endmacro %}


{# drop and create the retired table empty (the retired columns and retired_at), with the sentinel #}
{% macro create_retired_rows_table(relation) -%}
    {%- set retired = retired_rows_relation(relation) -%}
    drop table if exists {{ retired }};
    create table {{ retired }} as
        select {{ retired_columns(relation) | join(', ') }}, cast(null as {{ dbt.type_timestamp() }}) as retired_at
        from {{ relation }} where 1 = 0;
    insert into {{ retired }} (retired_at) values ({{ run_started_timestamp() }})
{%- endmacro %}


{# copy the retired columns of the rows of `relation` matching `condition` into its retired table (which must exist) #}
{% macro retire_rows(relation, condition) -%}
    {%- set names = retired_columns(relation) | join(', ') -%}
    insert into {{ retired_rows_relation(relation) }} ({{ names }}, retired_at)
    select {{ names }}, {{ run_started_timestamp() }} from {{ relation }} where {{ condition }}
{%- endmacro %}


{#
    Whether the retired table of `relation` exists, from the information schema: describing a
    missing table inside the model's transaction (dbt's get_columns_in_relation) aborts the
    transaction on DuckDB, and the run's temporary table with it.
#}
{% macro retired_rows_table_exists(relation) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set retired = retired_rows_relation(relation) -%}
    {%- set found = run_query("select count(*) from information_schema.tables where table_schema = '" ~ retired.schema
                              ~ "' and table_name = '" ~ retired.identifier ~ "'"
                              ~ (" and table_catalog = '" ~ retired.database ~ "'" if retired.database else "")) -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}


{# true when the retired table of `relation` exists with exactly the retired columns and retired_at #}
{% macro retired_rows_table_fits(relation) -%}
    {%- if not retired_rows_table_exists(relation) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set wanted = retired_columns(relation) | map('lower') | list + ['retired_at'] -%}
    {%- set present = adapter.get_columns_in_relation(retired_rows_relation(relation)) | map(attribute='name') | map('lower') | list -%}
    {{ return(wanted | sort == present | sort) }}
{%- endmacro %}


{#
    The strategy: delete+insert by unique_key, retiring the replaced rows first. A retired table
    missing or with other columns is created anew (its sentinel tells the sums models to recompute).
    A model whose meta.dropped_keys names a macro (a query of keys) also deletes and retires the
    rows of those keys here, in the same pass over the table as the replaced ones.
#}
{% macro get_incremental_delete_insert_retire_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set replaced_keys = 'select ' ~ unique_key ~ ' from ' ~ arg_dict['temp_relation'] -%}
    {%- set dropped_keys = config.get('meta', {}).get('dropped_keys') -%}
    {%- if dropped_keys -%}
    {%- set dropped_keys_query = context.get(dropped_keys) -%}
    {%- if dropped_keys_query is none -%}
    {{ exceptions.raise_compiler_error(this ~ ": meta.dropped_keys names no macro: '" ~ dropped_keys ~ "'") }}
    {%- endif -%}
    {%- set replaced_keys = replaced_keys ~ ' union all ' ~ dropped_keys_query() -%}
    {%- endif -%}
    {%- set condition = unique_key ~ ' in (' ~ replaced_keys ~ ')' -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- if not retired_rows_table_fits(target) -%}
    {{ create_retired_rows_table(target) }};
    {%- endif %}
    {{ retire_rows(target, condition) }};
    delete from {{ target }} where {{ condition }};
    insert into {{ target }} ({{ columns }}) select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}


{# post-hook of a retiring model: a build of the whole table starts its retired table anew #}
{% macro reset_retired_rows() -%}
    {%- if not is_incremental() -%}
    {{ create_retired_rows_table(this) }}
    {%- endif -%}
{%- endmacro %}
