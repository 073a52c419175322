{#
    When this dbt invocation started, as a timestamp literal: the built_at every row of a run
    carries (a build's tests read the rows it wrote by it; int_funnel_item_periods and
    time_to_first_action take the upstream rows newer than their own).
#}
{% macro run_started_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{#
    A subquery: the newest built_at of `relation`, or 1900 when it has no rows — the upstream rows
    stamped later are the ones an incremental model has not seen yet.
#}
{% macro newest_built_at(relation) -%}
    (select coalesce(max(built_at), cast('1900-01-01' as {{ dbt.type_timestamp() }})) from {{ relation }})
{%- endmacro %}
