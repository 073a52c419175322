{#
    quality.dbt_builds: one row per dbt invocation that writes tables (build, run, seed, snapshot),
    what publishing reads (orchestration/publish/readiness.py) and the marts gate names the build it
    checked by (expectations/history.py).

    on-run-start inserts the row with finished_at and success null; on-run-end fills them in. A build
    that was killed (or is still running) keeps the nulls, so "the newest build" — newest by
    started_at — is never an older green build hiding a half-written warehouse.

    success: a `dbt build` every node of which ended success, pass, warn or no-op. A node that errored,
    failed or was skipped (a model skipped because a test upstream failed) makes it false, and so does
    a `dbt run`, `seed` or `snapshot`: they write tables without running their tests.
#}
{% macro dbt_builds_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='quality', identifier='dbt_builds')) }}
{%- endmacro %}


{% macro writes_tables() -%}
    {{ return(flags.WHICH in ('build', 'run', 'seed', 'snapshot')) }}
{%- endmacro %}


{# on-run-start: this invocation has begun (finished_at and success stay null until on-run-end). #}
{% macro record_dbt_build_start() -%}
    {%- if not execute or not writes_tables() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set relation = dbt_builds_relation() -%}
    create schema if not exists {{ relation.schema }};
    create table if not exists {{ relation }} (
        invocation_id {{ dbt.type_string() }},
        started_at timestamp with time zone,
        finished_at timestamp with time zone,
        success {{ dbt.type_boolean() }}
    );
    insert into {{ relation }} (invocation_id, started_at) values ('{{ invocation_id }}', current_timestamp)
{%- endmacro %}


{# on-run-end: when it finished and whether it is a green build (see above). #}
{% macro record_dbt_build_end(results) -%}
    {%- if not execute or not writes_tables() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set green = ['success', 'pass', 'warn', 'no-op'] -%}
    {%- set failed = results | rejectattr('status', 'in', green) | list -%}
    {%- set success = flags.WHICH == 'build' and failed | length == 0 -%}
    update {{ dbt_builds_relation() }}
    set finished_at = current_timestamp, success = {{ 'true' if success else 'false' }}
    where invocation_id = '{{ invocation_id }}'
{%- endmacro %}
