{#
    The items (deals, leads) the funnels no longer count — a deal or lead marked deleted in the
    raw layer, a deal turned into a recurring template (the complement of int_funnel_owners) — and
    how the incremental funnel models (keyed by owner_scope_key) drop their rows, so an
    incremental run ends with the same table as a full rebuild. Records vanish from the raw layer
    only on `extract --full-refresh`, which needs `transform --full-refresh` after it.

    The models that read int_funnel_owners drop an item only once it has left int_funnel_owners
    too (`kept_by`), so a model built alone keeps what its input holds — and an item restored in
    the portal before int_funnel_owners noticed its deletion is not lost (it finds the item
    unchanged and does not stamp it for recomputing).
#}

{# the owner_scope_key of every dropped item (a few per thousand records), less those `kept_by` still holds #}
{% macro dropped_funnel_owner_keys(kept_by=none) -%}
    select dropped.owner_scope_key
    from (
        select {{ scoped_key('portal_id', "'deal'", 'deal_id') }} as owner_scope_key
        from {{ ref('stg_bitrix24__deals') }}
        where is_deleted or coalesce(is_recurring, false)
        union all
        select {{ scoped_key('portal_id', "'lead'", 'lead_id') }}
        from {{ ref('stg_bitrix24__leads') }}
        where is_deleted
    ) as dropped
    {%- if kept_by is not none %}
    where not exists (
        select 1 from {{ kept_by }} as kept where kept.owner_scope_key = dropped.owner_scope_key
    )
    {%- endif %}
{%- endmacro %}


{#
    The models that retire rows (macros/retired_rows.sql) name this macro in meta.dropped_keys:
    their incremental strategy deletes (and retires) the dropped items' rows in the same pass as
    the rows it replaces, instead of a post-hook reading their 25 M keys twice more.
#}
{% macro funnel_items_dropped_from_owners() -%}
    {{ return(dropped_funnel_owner_keys(kept_by=ref('int_funnel_owners'))) }}
{%- endmacro %}


{# post-hook of the other funnel models on incremental runs: delete the dropped items' rows #}
{% macro delete_rows_of_dropped_funnel_owners(kept_by=none) %}
    {%- if is_incremental() -%}
    delete from {{ this }} where owner_scope_key in (
        {{ dropped_funnel_owner_keys(kept_by) }}
    )
    {%- endif -%}
{% endmacro %}
