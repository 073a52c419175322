{#
    Incremental facts that find the records to rewrite before computing any (fct_activities,
    fct_calls). The model renders its lookups — the CTEs that add the looked-up columns to a base
    of records — once per base of `fact_lookup_bases(name)`:

      built_<name>   (incremental runs) the built rows, whose own columns give what each row's
                     looked-up values would be now; `built_fact_values` adds the built values
                     beside them, as built_<column>;
      <name>         the records to write: on incremental runs only those the raw layer loaded or
                     marked deleted since the last build, and those whose looked-up values differ
                     from the built ones; every staged record otherwise (`fact_base_records`).

    Each base's lookups end in a CTE <base>_looked_up; the model's final select reads
    <name>_looked_up. The fact must carry the columns its lookups read (the built rows are their
    base too), loaded_at_epoch and deleted_at. Comparing staged records, looked up, with their
    built rows (macros/incremental_facts.sql) looks up every record; this looks up the changed ones.
#}

{# the bases to render the lookups for, in order (one look at the built table per model) #}
{% macro fact_lookup_bases(name) -%}
    {{ return((['built_' ~ name] if is_incremental_with_documented_columns() else []) + [name]) }}
{%- endmacro %}


{#
    Before the lookups of `base`, the CTE of its records (with a trailing comma): for built_<name>
    the built rows; for <name> the records to write — on incremental runs (`bases` holds the
    built base too) those loaded or marked deleted since the last build and those whose looked-up
    values differ from the built ones, else every staged record.
#}
{% macro fact_base_records(base, bases, staged, key, compared_columns) -%}
{%- set name = bases[-1] -%}
{%- if base != name %}
{{ base }} as (

    select * from {{ this }}

),
{%- elif bases | length > 1 %}
changed_keys as materialized (

    {{ fact_records_loaded_since(staged, key) }}

    union

    {# built with a value that has changed elsewhere since #}
    select {{ key }}
    from built_{{ name }}_looked_up
    where
        {%- for column in compared_columns %}
        {{ 'or ' if not loop.first }}built_{{ column }} is distinct from {{ column }}
        {%- endfor %}

),

{{ name }} as (

    select * from {{ staged }}
    where {{ key }} in (select {{ key }} from changed_keys)

),
{%- else %}
{{ name }} as (

    select * from {{ staged }}

),
{%- endif %}
{%- endmacro %}


{# in the lookups' select list, after its last column: the built values of the compared columns #}
{% macro built_fact_values(base, compared_columns) -%}
{%- if base.startswith('built_') -%}
    {%- for column in compared_columns %},
        {{ base }}.{{ column }} as built_{{ column }}
    {%- endfor %}
{%- endif -%}
{%- endmacro %}
