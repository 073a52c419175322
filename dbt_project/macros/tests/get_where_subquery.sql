{#
    What a generic test reads of the model it tests (dbt wraps every generic test's `model` in this
    macro; this replaces dbt's default, which applies the test's `where` config).

    In a `dbt build`, the tests of an incremental model that stamps each row with the start of the
    run that wrote it (column built_at) and says so with `meta: {test_rows: written_by_this_build}`
    read only the rows this build wrote. The model is rebuilt by delete+insert, so a row an earlier
    build wrote and this one kept is the row that passed the tests then, and a key this build wrote
    cannot collide with a kept row: the build deleted every kept row of the records it rewrote.
    A full build writes every row, so it tests every row. `dbt test`, a build that did not build
    the model, and `--vars '{test_all_rows: true}'` test every row. Relationships tests read every
    row: a kept row's parent can vanish without the row being rebuilt.

    The run's start is a literal in the query, so DuckDB skips the row groups of older builds by
    their min/max instead of scanning them.
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


{# "built_at = <this run's start>" when the tests of this build read the rows it wrote. #}
{% macro latest_build_filter(relation) -%}
    {%- if not execute or var('test_all_rows', false) or model.resource_type != 'test'
        or flags.WHICH != 'build' or not model.attached_node
        or model.attached_node not in (selected_resources or []) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set tested = graph.nodes[model.attached_node] -%}
    {%- if tested.config.meta.get('test_rows') != 'written_by_this_build'
        or (model.test_metadata.name if model.test_metadata else '') in ('relationships', 'relationships_by_portal')
        or relation.identifier | lower != (tested.alias or tested.name) | lower -%}
        {{ return('') }}
    {%- endif -%}
    {{ return('built_at = ' ~ run_started_timestamp()) }}
{%- endmacro %}
