{#
    Incremental fact tables: one row per record, rewritten only for the records that changed.

    A record is rewritten when
      1. the raw layer loaded it, or marked it deleted, after the newest row the table holds
         (per portal, by dlt's load id and the deletion time), or
      2. a value it looks up elsewhere — a user's or stage's name, a currency rate, the portal's
         time zone — is not what it was built with. Each lookup compares what the built rows hold:
         the distinct combinations of the lookup's key and the looked-up columns (a few hundred
         users or stages, a few currencies; more where a record's own value takes part, like a
         timestamp for a date in the portal's time zone) are looked up again, and the records of
         each key whose values differ are rewritten. A renamed user rewrites that user's records
         and nothing else; the lookups never touch the staged records, whose columns change only
         with a new load (1.).
    Every record is rewritten when `source_relation` (a model whose every column the fact passes
    on) gained a column the table lacks (a new custom field), or the table lacks a column the
    model documents (built by an earlier version): dbt adds the column (on_schema_change=
    'sync_all_columns') and no old row is left without its value.

    The macro renders the CTE `name`: the staged records to write (`staged`, a relation with the
    key, portal_id, loaded_at_epoch and deleted_at), filtered on incremental runs to the changed
    records before the model looks anything up for them. A lookup is a dict:
        keys      the built columns it looks up by (NULL keys find nothing, so never change),
        columns   the built columns it gave (or that give it, like a timestamp for its date),
        relation  what it looks up in now (a CTE or a relation), aliased `lookup` (optional: a
                  compared value may be a subquery instead),
        on        the join of `seen` (the built combinations) to `lookup`,
        compare   {built column: its value now, over `seen` and `lookup`},
        by_record compare each built record, not the distinct combinations (optional: for
                  lookups where a record's own value, like a timestamp, takes part).
    Each row carries built_at, the start of the run that wrote it (macros/tests/get_where_subquery.sql).

        {{ incremental_fact_records('staged_deals', ref('stg_bitrix24__deals'), 'deal_key',
                                    [users_lookup, ...], ref('int_deals_enriched')) }}
        deals as ({{ enriched_deals('staged_deals') }}),
#}
{% macro incremental_fact_records(name, staged, key, lookups, source_relation=none) -%}
{%- if is_incremental_with_documented_columns()
    and not (source_relation is not none and relation_has_columns_beyond(source_relation, this)) %}
{{ name }}_changed_keys as materialized (

    {{ fact_records_loaded_since(staged, key) }}
    {%- for lookup in lookups %}

    union

    {{ built_records_with_changed_lookup(key, lookup) }}
    {%- endfor %}

),

{#
    The keys first, then their rows: filtered by the changed keys directly, DuckDB built its hash
    table on every staged record with all its columns (it over-estimates changed_keys, a union of
    lookups, and swaps the join's sides); changed_staged_keys is narrow, and estimated small.
#}
{{ name }}_changed_staged_keys as (

    select {{ key }} from {{ staged }}
    where {{ key }} in (select {{ key }} from {{ name }}_changed_keys)

),

{{ name }} as (

    select * from {{ staged }}
    where {{ key }} in (select {{ key }} from {{ name }}_changed_staged_keys)

),
{%- else %}
{# a full build, a table built before a documented column existed, or a source with a new column #}
{{ name }} as (

    select * from {{ staged }}

),
{%- endif %}
{%- endmacro %}


{#
    The keys of the built records whose looked-up values differ from what the lookup gives now:
    each changed key once (a key may have many combinations — a portal's timestamps — and each
    would otherwise join all of its records again). A lookup marked by_record (its combinations
    are about as many as the records: a timestamp takes part) compares each built record instead:
    taking the distinct combinations first would cost a hash table of every record.
#}
{% macro built_records_with_changed_lookup(key, lookup) -%}
    {%- set keys_present -%}
        {%- for column in lookup['keys'] %}seen.{{ column }} is not null and {% endfor -%}
    {%- endset -%}
    {%- set compared -%}
            {%- for column, now in lookup['compare'].items() %}
            {{ 'or ' if not loop.first }}seen.{{ column }} is distinct from ({{ now }})
            {%- endfor %}
    {%- endset -%}
    {%- set looked_up -%}
        {%- if lookup.get('relation') %}
        left join {{ lookup['relation'] }} as lookup
            on {{ lookup['on'] }}
        {%- endif %}
    {%- endset -%}
    {%- if lookup.get('by_record') %}
    select seen.{{ key }}
    from {{ this }} as seen
    {{- looked_up }}
    where {{ keys_present }}({{ compared }}
    )
    {%- else %}
    select built.{{ key }}
    from {{ this }} as built
    inner join (
        select distinct {% for column in lookup['keys'] %}{{ ', ' if not loop.first }}seen.{{ column }}{% endfor %}
        from (
            select distinct {{ (lookup['keys'] + lookup['columns']) | join(', ') }}
            from {{ this }}
        ) as seen
        {{- looked_up }}
        where
            {{- compared }}
    ) as changed
        on {% for column in lookup['keys'] -%}
        {{ 'and ' if not loop.first }}built.{{ column }} = changed.{{ column }}
        {% endfor -%}
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
    select loaded.{{ key }}
    from {{ relation }} as loaded
    left join (
        select portal_id, max(loaded_at_epoch) as loaded_at_epoch, max(deleted_at) as deleted_at
        from {{ this }}
        group by portal_id
    ) as built_watermarks
        on loaded.portal_id = built_watermarks.portal_id
    where built_watermarks.portal_id is null
        or loaded.loaded_at_epoch > built_watermarks.loaded_at_epoch
        or loaded.deleted_at > coalesce(built_watermarks.deleted_at, cast('1970-01-01' as timestamp))
{%- endmacro %}
