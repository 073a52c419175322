{#
    Post-hook of the incremental funnel models (keyed by owner_scope_key) on incremental runs:
    deletes the rows of items the funnels no longer count — a deal or lead marked deleted in the
    raw layer, a deal turned into a recurring template (the complement of int_funnel_owners) — so
    an incremental run ends with the same table as a full rebuild. It looks up the few dropped
    items rather than every built row against every live item. Records vanish from the raw layer
    only on `extract --full-refresh`, which needs `transform --full-refresh` after it.

    The models that read int_funnel_owners pass it as `kept_by`: they drop an item only once it
    has left int_funnel_owners too, so a model built alone keeps what its input holds — and an
    item restored in the portal before int_funnel_owners noticed its deletion is not lost (it
    finds the item unchanged and does not stamp it for recomputing). A model that retires rows
    (macros/retired_rows.sql) retires them before deleting.
#}
{% macro delete_rows_of_dropped_funnel_owners(kept_by=none) %}
    {%- if is_incremental() -%}
    {%- set condition -%}
    owner_scope_key in (
        select {{ scoped_key('portal_id', "'deal'", 'deal_id') }}
        from {{ ref('stg_bitrix24__deals') }}
        where is_deleted or coalesce(is_recurring, false)
        union all
        select {{ scoped_key('portal_id', "'lead'", 'lead_id') }}
        from {{ ref('stg_bitrix24__leads') }}
        where is_deleted
    )
    {%- if kept_by is not none %}
        and not exists (
            select 1 from {{ kept_by }} as kept where kept.owner_scope_key = {{ this }}.owner_scope_key
        )
    {%- endif %}
    {%- endset -%}
    {{ delete_retiring(condition) }}
    {%- endif -%}
{% endmacro %}
