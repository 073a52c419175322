{#
    Post-hook of the incremental funnel models (keyed by owner_scope_key) on incremental runs:
    deletes the rows of items the funnels no longer count — a deal or lead marked deleted in the
    raw layer, a deal turned into a recurring template (the complement of int_funnel_owners) — so
    an incremental run ends with the same table as a full rebuild. It looks up the few dropped
    items rather than every built row against every live item. Records vanish from the raw layer
    only on `extract --full-refresh`, which needs `transform --full-refresh` after it.
#}
{% macro delete_rows_of_dropped_funnel_owners() %}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where owner_scope_key in (
        select {{ scoped_key('portal_id', "'deal'", 'deal_id') }}
        from {{ ref('stg_bitrix24__deals') }}
        where is_deleted or coalesce(is_recurring, false)
        union all
        select {{ scoped_key('portal_id', "'lead'", 'lead_id') }}
        from {{ ref('stg_bitrix24__leads') }}
        where is_deleted
    )
    {%- endif -%}
{% endmacro %}
