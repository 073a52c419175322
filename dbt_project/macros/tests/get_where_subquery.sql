{#
    What a generic test reads of the model it tests (dbt wraps every generic test's `model` in this
    macro; this replaces dbt's default, which applies the test's `where` config).

    In a `dbt build`, the tests of a model marked `meta: {test_rows: ...}` read only the rows added
    since the last invocation in which all of the model's tests, as they are now, ran and passed
    (macros/tests/test_outcomes.sql):
      written_by_this_build      an incremental model that stamps each row with the start of the
                                 run that wrote it (built_at): normally the rows this build wrote.
                                 The model is rebuilt by delete+insert, so a row written before then
                                 is the row that passed, and a key written since cannot collide with
                                 an older row: the build deleted every row of the records it rewrote.
      loaded_since_tests_passed  a staging view over a raw table dlt merges by its primary key,
                                 with dlt's load id as load_id (a unix timestamp, compared as text:
                                 10 digits, then the fraction): the rows of the loads since. Their
                                 columns must come from the raw row alone. dlt's merge replaced the
                                 older rows of the keys it loaded, but a unique test still reads
                                 every row sharing a key with a new one (a semi-join), so a row
                                 slipped in beside the merge is caught too.
    Rows of a build whose tests failed, of a `dbt run` or of a killed build are tested again; a
    test added or changed tests every row. A full build writes every row, so it tests every row;
    `dbt test` and `--vars '{test_all_rows: true}'` test every row. Relationships tests read every
    row: a row's parent can vanish without the row being rebuilt.

    The cut-off is a literal in the query, so DuckDB skips the row groups of older builds and loads
    by their min/max instead of scanning them. It relies on the clock and on writers taking turns:
    builds start later than the ones before them, and a load finishes before a build starts.
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set since_passed = filter_rows_since_tests_passed(relation) -%}
    {%- set keys = key_test_columns() if since_passed and tested_model_mode() == 'loaded_since_tests_passed' else [] -%}
    {%- set conditions = ([where] if keys else [where, since_passed]) | select | list -%}
    {%- if keys -%}
        {# every row sharing a key with a row loaded since: a join to those few keys, where a
           correlated EXISTS made DuckDB group all 5 M stage-history rows by key first #}
        (select tested_rows.* from {{ relation }} as tested_rows
        inner join (select distinct {{ keys | join(', ') }} from {{ relation }} where {{ since_passed }}) as loaded
            on {% for key in keys %}tested_rows.{{ key }} is not distinct from loaded.{{ key }}{{ ' and ' if not loop.last }}{% endfor %}
        {%- if conditions %}
        where ({{ conditions | join(') and (') }})
        {%- endif %}) dbt_subquery
    {%- elif conditions -%}
        (select * from {{ relation }} where ({{ conditions | join(') and (') }})) dbt_subquery
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}


{#
    The condition on the tested rows where a build may test only the rows added since the model's
    tests last passed ("built_at > ..." or "load_id > ..."), else ''.
#}
{% macro filter_rows_since_tests_passed(relation) -%}
    {%- if not execute or var('test_all_rows', false) or model.resource_type != 'test'
        or flags.WHICH != 'build' or not model.attached_node -%}
        {{ return('') }}
    {%- endif -%}
    {%- set tested = graph.nodes[model.attached_node] -%}
    {%- set mode = tested_model_mode() -%}
    {%- if mode not in test_rows_modes()
        or (model.test_metadata.name if model.test_metadata else '') == 'relationships'
        or relation.identifier | lower != (tested.alias or tested.name) | lower -%}
        {{ return('') }}
    {%- endif -%}
    {%- set passed_through = tests_passed_through(tested.unique_id) -%}
    {%- if passed_through is none -%}
        {{ return('') }}
    {%- elif mode == 'written_by_this_build' -%}
        {{ return("built_at > cast('" ~ passed_through ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
    {%- else -%}
        {{ return("load_id > '" ~ load_id_at(passed_through) ~ "'") }}
    {%- endif -%}
{%- endmacro %}


{# the ways a model's meta test_rows can say which rows a build tests (test_outcomes.sql records them) #}
{% macro test_rows_modes() -%}
    {{ return(['written_by_this_build', 'loaded_since_tests_passed']) }}
{%- endmacro %}


{# the meta test_rows of the model this generic test is attached to #}
{% macro tested_model_mode() -%}
    {{ return(graph.nodes[model.attached_node].config.meta.get('test_rows')) }}
{%- endmacro %}


{# the key columns of a unique or unique_combination test, else [] #}
{% macro key_test_columns() -%}
    {%- set name = model.test_metadata.name if model.test_metadata else '' -%}
    {%- if name == 'unique' -%}
        {{ return([model.test_metadata.kwargs.column_name]) }}
    {%- elif name == 'unique_combination' -%}
        {{ return(model.test_metadata.kwargs.combination_of_columns) }}
    {%- endif -%}
    {{ return([]) }}
{%- endmacro %}


{# dlt's load id of a load started at `timestamp` (naive UTC): unix seconds with 6 decimals, as text #}
{% macro load_id_at(timestamp) -%}
    {{ return('%.6f' | format((timestamp - modules.datetime.datetime(1970, 1, 1)).total_seconds())) }}
{%- endmacro %}
