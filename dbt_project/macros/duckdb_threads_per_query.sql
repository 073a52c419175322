{#
    How many threads DuckDB gives each query, chosen once per build (on-run-start). A build that
    recomputes the stage history whole (a full refresh, or a warehouse's first build) is a chain of
    long queries: each gets every core. An incremental build is hundreds of short queries on dbt's
    own threads: each gets cores / dbt threads (one on a 2-core machine), so queries run side by
    side instead of each splitting its work (large portal, 1% changed: 57 s -> 50 s of dbt; a full
    build at one thread per query took 159 s instead of 147 s; docs/benchmarks.md).
    DuckDB's threads setting is global to the database, which dbt-duckdb keeps open for the whole
    run (profiles.yml: keep_open). Other adapters: nothing to do.
#}
{% macro duckdb_threads_per_query() %}
    {% if execute and target.type == 'duckdb' %}
        {% set cores = run_query("reset threads; select current_setting('threads')").columns[0].values()[0] | int %}
        {% set stage_periods = graph.nodes.get('model.' ~ project_name ~ '.int_funnel_stage_periods') %}
        {% set built = adapter.get_relation(stage_periods.database, stage_periods.schema, stage_periods.alias)
            if stage_periods is not none else none %}
        {% if flags.FULL_REFRESH or built is none %}
            {% set threads = cores %}
        {% else %}
            {% set threads = [1, cores // target.threads] | max %}
        {% endif %}
        {{ log("DuckDB threads per query: " ~ threads ~ " (" ~ cores ~ " cores, " ~ target.threads ~ " dbt threads)") }}
        set threads = {{ threads }}
    {% endif %}
{% endmacro %}
