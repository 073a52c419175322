{#
    When this dbt invocation started, as a timestamp literal: the built_at every row of a run
    carries (a build's tests read the rows it wrote by it; int_funnel_item_periods and
    time_to_first_action take the upstream rows newer than their own).
#}
{% macro run_started_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
