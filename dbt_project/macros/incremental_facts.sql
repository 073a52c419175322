{#
    Incremental fact tables: one row per record, rebuilt only for the records that changed.

    A record is rebuilt when
      1. the raw layer loaded it, or marked it deleted, after the newest row the table holds
         (per portal, by dlt's load id and the deletion time), or
      2. a value it takes from elsewhere — a user's or stage's name, a currency rate, a rule —
         differs between what the table holds and what it would hold now (`compared_columns`):
         a renamed user rewrites that user's records and nothing else.
    Every record is rebuilt when `source_relation` (a model whose every column the fact passes on)
    gained a column the table lacks (a new custom field), or the table lacks a column the model
    documents (built by an earlier version): dbt adds the column (on_schema_change=
    'sync_all_columns') and no old row is left without its value. The fact must carry, and
    document, the source's loaded_at_epoch and deleted_at and the compared columns.

    Each row carries built_at, the start of the run that wrote it (a build's tests read the rows
    it wrote by it: macros/tests/get_where_subquery.sql).

    `current` is the model's full select as a CTE (declare it `not materialized`): the comparison
    reads only the compared columns of it, the final select only the changed records. The macro
    ends the model's CTEs with `final`:

        all_deals as not materialized (select ...),
        {{ incremental_fact_rows('all_deals', 'deal_key', ['assigned_user_name', ...], ref('int_deals_enriched')) }}
        select * from final
#}
{% macro incremental_fact_rows(current, key, compared_columns, source_relation) -%}
{%- if is_incremental_with_documented_columns()
    and not (source_relation is not none and relation_has_columns_beyond(source_relation, this)) %}
changed_keys as (

    {{ fact_records_loaded_since(current, key) }}

    union

    {# built with a value that has changed elsewhere since #}
    select built.{{ key }}
    from {{ this }} as built
    inner join {{ current }}
        on built.{{ key }} = {{ current }}.{{ key }}
    where
        {%- for column in compared_columns %}
        {{ 'or ' if not loop.first }}built.{{ column }} is distinct from {{ current }}.{{ column }}
        {%- endfor %}

),

final as (

    select *, {{ run_started_timestamp() }} as built_at from {{ current }}
    where {{ key }} in (select {{ key }} from changed_keys)

)
{%- else %}
{# a full build, a table built before a documented column existed, or a source with a new column #}
final as (

    select *, {{ run_started_timestamp() }} as built_at from {{ current }}

)
{%- endif %}
{%- endmacro %}


{# True when the relation lacks one of the columns. #}
{% macro relation_lacks_columns(relation, columns) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- for column in columns -%}
        {%- if column | lower not in present -%}
            {{ return(true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}


{# True when `relation` has a column `other` does not. #}
{% macro relation_has_columns_beyond(relation, other) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(relation_lacks_columns(other, adapter.get_columns_in_relation(relation) | map(attribute='name') | list)) }}
{%- endmacro %}


{#
    is_incremental(), unless the built table lacks a column the model documents — a table built by
    an earlier version of the model: the run then computes every row (on_schema_change
    'sync_all_columns' adds the column) instead of stopping for a --full-refresh.
#}
{% macro is_incremental_with_documented_columns() -%}
    {{ return(is_incremental() and not relation_lacks_columns(this, model.columns.keys() | list)) }}
{%- endmacro %}


{#
    The keys of the records of `relation` the raw layer loaded, or marked deleted, after the newest
    row the fact table holds (per portal, by dlt's load id and the deletion time): a select, for a
    CTE or a union.
#}
{% macro fact_records_loaded_since(relation, key) -%}
    {# loaded or marked deleted since the last build #}
    select {{ relation }}.{{ key }}
    from {{ relation }}
    left join (
        select portal_id, max(loaded_at_epoch) as loaded_at_epoch, max(deleted_at) as deleted_at
        from {{ this }}
        group by portal_id
    ) as built_watermarks
        on {{ relation }}.portal_id = built_watermarks.portal_id
    where built_watermarks.portal_id is null
        or {{ relation }}.loaded_at_epoch > built_watermarks.loaded_at_epoch
        or {{ relation }}.deleted_at > coalesce(built_watermarks.deleted_at, cast('1970-01-01' as timestamp))
{%- endmacro %}
