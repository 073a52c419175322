{#
    When this dbt invocation started, as a timestamp literal: the built_at every row of a run
    carries (tests of incremental models read the latest run's rows by it; int_funnel_item_periods
    takes the int_funnel_stage_periods rows newer than its own).
#}
{% macro run_started_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
