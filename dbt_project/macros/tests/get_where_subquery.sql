{#
    What a generic test reads of the model it tests (dbt wraps every generic test's `model` in this
    macro; this replaces dbt's default, which applies the test's `where` config).

    Incremental models that stamp each row with the time of the run that built it (column
    built_at) and say so with `meta: {test_rows: built_by_latest_run}` are tested on the rows of
    their latest build only: they are rebuilt by delete+insert, so a row an earlier run wrote and
    this one kept is the row that passed the tests then — and a key the latest build wrote cannot
    collide with a kept row, because the build deleted every kept row of the records it rewrote.
    A full build stamps every row with one time, so it tests every row; `--vars '{test_all_rows:
    true}'` tests every row after any build.
    Relationships tests keep reading every row: a kept row's parent can vanish without the row
    being rebuilt.

    The newest built_at is read when the test runs and written into the query as a literal, so
    DuckDB skips the row groups of older builds by their min/max instead of scanning them.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set latest = latest_build_filter(relation) -%}
    {%- set conditions = [where, latest] | select | list -%}
    {%- if conditions -%}
        (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}


{# "built_at = <the newest built_at>" when the tested relation is tested by its latest build. #}
{% macro latest_build_filter(relation) -%}
    {%- if not execute or var('test_all_rows', false) or model.resource_type != 'test' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) if model.attached_node else none -%}
    {%- if tested is none
        or tested.config.meta.get('test_rows') != 'built_by_latest_run'
        or (model.test_metadata.name if model.test_metadata else '') in ('relationships', 'relationships_by_portal')
        or relation.identifier | lower != (tested.alias or tested.name) | lower -%}
        {{ return('') }}
    {%- endif -%}
    {%- set newest = run_query('select max(built_at) from ' ~ relation).columns[0].values()[0] -%}
    {%- if newest is none -%}
        {{ return('') }}
    {%- endif -%}
    {{ return("built_at = cast('" ~ newest ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}
