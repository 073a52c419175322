{#
    Post-hook of int_funnel_stage_periods on incremental runs: deletes the rows of items the
    funnels no longer count (a deal deleted in the portal, or turned into a recurring template),
    so an incremental run ends with the same table as a full rebuild.
#}
{% macro delete_rows_of_dropped_funnel_owners() %}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where owner_scope_key not in (
        select portal_id || ':' || entity_type || ':' || cast(owner_id as {{ dbt.type_string() }})
        from {{ ref('int_funnel_owners') }}
    )
    {%- endif -%}
{% endmacro %}
