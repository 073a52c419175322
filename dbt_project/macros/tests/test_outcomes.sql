{#
    What the tests of a model marked `test_rows` (written_by_this_build, loaded_since_tests_passed)
    can take as verified (macros/tests/get_where_subquery.sql): per model, the start of the last
    dbt invocation in which every one of its tests ran and passed, and which tests those were (a
    hash of their ids, so adding or changing a test makes the next build test every row again).
    Rows written or loaded after that — by a build whose tests failed, a `dbt run`, a build that
    was killed — are tested again by the next build. Kept in intermediate.dbt_test_outcomes;
    on-run-end records it.
#}
{% macro test_outcomes_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='intermediate', identifier='dbt_test_outcomes')) }}
{%- endmacro %}


{# A hash of the ids of the model's generic tests: a test added, removed or changed changes it. #}
{% macro tests_signature(model_id) -%}
    {%- set ids = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'test' and node.attached_node == model_id -%}
        {%- do ids.append(node.unique_id) -%}
    {%- endfor -%}
    {{ return(local_md5(ids | sort | join(','))) }}
{%- endmacro %}


{# on-run-end: the marked models all of whose tests ran and passed in this invocation. #}
{% macro record_test_outcomes(results) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set ran = {} -%}
    {%- set failed = [] -%}
    {%- for result in results if result.node.resource_type == 'test' and result.node.attached_node -%}
        {%- do ran.update({result.node.attached_node: ran.get(result.node.attached_node, []) + [result.node.unique_id]}) -%}
        {%- if result.status not in ('pass', 'warn') -%}
            {%- do failed.append(result.node.attached_node) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set passed = [] -%}
    {%- set rows = [] -%}
    {%- for model_id, test_ids in ran.items() -%}
        {%- set model = graph.nodes.get(model_id) -%}
        {%- if model and model.config.meta.get('test_rows') in test_rows_modes() and model_id not in failed -%}
            {%- set signature = tests_signature(model_id) -%}
            {%- if local_md5(test_ids | sort | join(',')) == signature -%}
                {%- do passed.append(model_id) -%}
                {%- do rows.append("('" ~ model_id ~ "', " ~ run_started_timestamp() ~ ", '" ~ signature ~ "')") -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not passed -%}
        {{ return('') }}
    {%- endif -%}
    {%- set relation = test_outcomes_relation() -%}
    create schema if not exists {{ relation.schema }};
    create table if not exists {{ relation }} (
        model_id {{ dbt.type_string() }}, passed_through {{ dbt.type_timestamp() }}, tests_signature {{ dbt.type_string() }}
    );
    delete from {{ relation }} where model_id in ('{{ passed | join("', '") }}');
    insert into {{ relation }} values {{ rows | join(', ') }}
{%- endmacro %}


{# The start of the last invocation whose tests of the model all passed, if its tests are the same now. #}
{% macro tests_passed_through(model_id) -%}
    {%- set relation = test_outcomes_relation() -%}
    {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set rows = run_query("select passed_through, tests_signature from " ~ relation
        ~ " where model_id = '" ~ model_id ~ "'").rows -%}
    {%- if rows | length == 0 or rows[0][1] != tests_signature(model_id) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(rows[0][0]) }}
{%- endmacro %}
