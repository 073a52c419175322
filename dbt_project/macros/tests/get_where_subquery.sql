{#
    What a generic test reads of the model it tests (dbt wraps every generic test's `model` in this
    macro; this replaces dbt's default, which applies the test's `where` config).

    In a `dbt build`, the tests of an incremental model that stamps each row with the start of the
    run that wrote it (column built_at) and says so with `meta: {test_rows: written_by_this_build}`
    read only the rows written since the last invocation in which all of the model's tests, as
    they are now, ran and passed (macros/tests/test_outcomes.sql): normally the rows this build
    wrote. The model is rebuilt by delete+insert, so a row written before then is the row that
    passed, and a key written since cannot collide with an older row: the build deleted every row
    of the records it rewrote. Rows of a build whose tests failed, of a `dbt run` or of a killed
    build are tested again; a test added or changed tests every row. A full build writes every
    row, so it tests every row; `dbt test` and `--vars '{test_all_rows: true}'` test every row.
    Relationships tests read every row: a row's parent can vanish without the row being rebuilt.

    The cut-off is a literal in the query, so DuckDB skips the row groups of older builds by their
    min/max instead of scanning them. It relies on the clock: builds start later than the ones
    before them.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set since_passed = filter_rows_since_tests_passed(relation) -%}
    {%- set conditions = [where, since_passed] | select | list -%}
    {%- if conditions -%}
        (select * from {{ relation }} where ({{ conditions | join(') and (') }})) dbt_subquery
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}


{# "built_at > <the last time all the model's tests passed>" where a build may test only those rows. #}
{% macro filter_rows_since_tests_passed(relation) -%}
    {%- if not execute or var('test_all_rows', false) or model.resource_type != 'test'
        or flags.WHICH != 'build' or not model.attached_node -%}
        {{ return('') }}
    {%- endif -%}
    {%- set tested = graph.nodes[model.attached_node] -%}
    {%- if tested.config.meta.get('test_rows') != 'written_by_this_build'
        or (model.test_metadata.name if model.test_metadata else '') in ('relationships', 'relationships_by_portal')
        or relation.identifier | lower != (tested.alias or tested.name) | lower -%}
        {{ return('') }}
    {%- endif -%}
    {%- set passed_through = tests_passed_through(tested.unique_id) -%}
    {%- if passed_through is none -%}
        {{ return('') }}
    {%- endif -%}
    {{ return("built_at > cast('" ~ passed_through ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}
