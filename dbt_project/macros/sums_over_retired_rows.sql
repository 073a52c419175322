{#
    The body of a sums model over a model that retires rows (macros/retired_rows.sql): one row per
    group of `grain`, the sum of each measure over the upstream rows of the group, a key made of
    the grain (`key_name`) and built_at (when the group last changed).

    grain:    [column, expression over an upstream row] pairs
    measures: [column, expression over an upstream row, type] triples (additive: counts, sums)
    parts:    optional, for an upstream row that counts in several groups: a list of
              {where: condition on the row, grain: {column: expression}, measures: {column:
              expression}}, each counting the rows it takes with its own expressions in place of
              those given above (activity_overview: an activity is planned on one day, done on another)
    described_by:
              optional, columns looked up for each group: a lookup as the facts write them
              (macros/incremental_facts.sql, e.g. user_lookup()), its keys grain columns; each
              column of its `compare` is written with the value it gives now (a user's name)
    key_expression:
              optional, the key over the grain columns (default: them joined by ':', NULL as empty)
    derived:  optional, [column, expression over the summed measures] pairs, after built_at (an average)

    Incremental: adds the upstream rows stamped since this table's newest row and subtracts the
    retired rows it had counted, to the groups they touch (delete+insert by key); the post-hook
    (sums_over_retired_rows_post_hook) drops the groups left empty and prunes the retired rows
    read. The groups whose looked-up columns are not what the lookup gives now are written again
    too. Every group is recomputed when the delta cannot be trusted: the retired table is missing
    or began after this table's newest row (the upstream was rebuilt whole, or its columns
    changed), or the table lacks a column the model documents (built by an earlier version). A
    recomputing run also writes each built group it no longer finds with its measures 0, so the
    post-hook drops it with the empty ones; rows of a version without built_at go too.
#}
{% macro sums_over_retired_rows(upstream, grain, measures, key_name, parts=none, described_by=none,
                                key_expression=none, derived=[]) %}
{%- set retired = retired_rows_relation(upstream) -%}
{%- set by_delta = sums_by_delta(upstream) -%}
{%- set grain_columns = grain | map('first') | list -%}
{%- set parts = parts or [{}] -%}
{%- set described = described_by['compare'] if described_by else {} -%}

with

{# the rows to sum: every upstream row, or by delta the rows this table has not counted yet and
   the retired rows it had counted (negated) #}
changes as (

    {%- for part in parts %}
    {{ 'union all' if not loop.first }}

    select {{ sums_contributions(grain, measures, part=part) }}
    from {{ upstream }}
    where ({{ part.get('where', 'true') }})
    {%- if by_delta %}
        and built_at > {{ newest_built_at(this) }}

    union all

    select {{ sums_contributions(grain, measures, negated=true, part=part) }}
    from {{ retired }}
    where ({{ part.get('where', 'true') }})
        and built_at <= {{ newest_built_at(this) }}
        and retired_at > {{ newest_built_at(this) }}
    {%- endif %}
    {%- endfor %}
    {%- if by_delta and described %}

    union all

    {# the built groups whose looked-up columns changed: written again, with nothing added #}
    select
        {%- for column in grain_columns %}
        {{ column }},
        {%- endfor %}
        {%- for column, expression, type in measures %}
        cast(0 as {{ type }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ this }}
    where {{ key_name }} in ({{ built_records_with_changed_lookup(key_name, described_by) }})
    {%- endif %}

),

summed as (

    select
        {{ key_expression or sums_key(grain_columns) }} as {{ key_name }},
        {%- for column in grain_columns %}
        {{ column }},
        {%- endfor %}
        {%- for column, expression, type in measures %}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from changes
    group by {{ grain_columns | join(', ') }}

),

final as (

    select
        summed.{{ key_name }},
        {%- for column in grain_columns %}
        summed.{{ column }},
        {%- endfor %}
        {%- for column, now in described.items() %}
        {{ now | replace('seen.', 'summed.') }} as {{ column }},
        {%- endfor %}
        {%- for column, expression, type in measures %}
        cast({% if by_delta %}coalesce(built.{{ column }}, 0) + {% endif %}summed.{{ column }} as {{ type }}) as {{ column }},
        {%- endfor %}
        {{ run_started_timestamp() }} as built_at
    from summed
    {%- if by_delta %}
    {# the built groups of the changed keys only: joined to the whole table, DuckDB hashed all of
       its rows (it over-estimates summed, and builds on the table's side) #}
    left join (
        select * from {{ this }}
        where {{ key_name }} in (select {{ key_name }} from summed)
    ) as built
        on summed.{{ key_name }} = built.{{ key_name }}
    {%- endif %}
    {%- if described_by %}
    {# the lookup's join is written over the built row, `seen` #}
    left join {{ described_by['relation'] }} as lookup
        on {{ described_by['on'] | replace('seen.', 'summed.') }}
    {%- endif %}
    {%- if not by_delta and is_incremental() and not relation_lacks_columns(this, [key_name, 'built_at'] + grain_columns + described.keys() | list) %}

    union all

    {# the groups built before that the recomputation no longer has: emptied, for the post-hook #}
    select
        built.{{ key_name }},
        {%- for column in grain_columns %}
        built.{{ column }},
        {%- endfor %}
        {%- for column in described %}
        built.{{ column }},
        {%- endfor %}
        {%- for column, expression, type in measures %}
        cast(0 as {{ type }}),
        {%- endfor %}
        {{ run_started_timestamp() }}
    from {{ this }} as built
    where built.{{ key_name }} not in (select {{ key_name }} from summed where {{ key_name }} is not null)
    {%- endif %}

)

select
    final.*
    {%- for column, expression in derived %},
    {{ expression }} as {{ column }}
    {%- endfor %}
from final
{% endmacro %}


{# the grain and measure columns of one upstream row (as `part` counts it), the measures negated for a retired row #}
{% macro sums_contributions(grain, measures, negated=false, part={}) -%}
    {%- for column, expression in grain %}
        {{ part.get('grain', {}).get(column, expression) }} as {{ column }},
    {%- endfor %}
    {%- for column, expression, type in measures %}
        {%- set expression = part.get('measures', {}).get(column, expression) %}
        {{ '-(' ~ expression ~ ')' if negated else expression }} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{# the grain's columns as one string key (NULL as empty) #}
{% macro sums_key(columns) -%}
    {%- for column in columns -%}
    coalesce(cast({{ column }} as {{ dbt.type_string() }}), ''){{ " || ':' || " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}


{# whether an incremental run adds and subtracts (true) or recomputes every group #}
{% macro sums_by_delta(upstream) -%}
    {{ return(is_incremental_with_documented_columns() and retired_rows_counted_since(upstream)) }}
{%- endmacro %}


{#
    True when every retired row of `upstream` this table has not read is there: the retired table
    exists and its sentinel (when retiring began) is not newer than this table's newest row.
#}
{% macro retired_rows_counted_since(upstream) -%}
    {%- if not retired_rows_table_exists(upstream) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set retired = retired_rows_relation(upstream) -%}
    {%- set answer = run_query("select (select max(retired_at) from " ~ retired ~ " where built_at is null) <= "
                               ~ newest_built_at(this)).columns[0].values()[0] -%}
    {{ return(answer is true) }}
{%- endmacro %}


{#
    Post-hook of a sums model: drop the groups left empty (`vacant_when_zero` = 0) and rows of a
    version without built_at, then prune the retired rows this build has read.
#}
{% macro sums_over_retired_rows_post_hook(upstream, vacant_when_zero) -%}
    {%- set retired = retired_rows_relation(upstream) -%}
    {%- if retired_rows_table_exists(upstream) -%}
    delete from {{ this }} where {{ vacant_when_zero }} = 0 or built_at is null;
    delete from {{ retired }}
    where built_at is not null and retired_at <= {{ run_started_timestamp() }}
    {%- endif -%}
{%- endmacro %}
