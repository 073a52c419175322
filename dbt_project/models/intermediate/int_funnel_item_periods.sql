{#
    The items (deals, leads) each standard period's funnels count, per mode (reference §7.2):
    classic counts an item with at least one real entry in the period, conversion any entry. Flags
    say whether the counted entries include a success or a failure stage — the employee grids of
    §7.4–7.5 count those ("converted", "junk", "won", "lost") — and the funnel totals are counts of
    these rows. One pass over int_funnel_stage_periods gives both modes.

    Incremental (delete+insert by item), following int_funnel_stage_periods: a run takes the items
    that model rebuilt since this table's last build (its rows' built_at); the same delete drops
    the items the funnels no longer count (meta.dropped_keys). Replaced and dropped rows are retired
    (macros/retired_rows.sql): int_funnel_item_sums subtracts them.
#}
-- depends_on: {{ ref('stg_bitrix24__deals') }}, {{ ref('stg_bitrix24__leads') }}, {{ ref('int_funnel_owners') }}  (the dropped items: meta.dropped_keys)
{# meta.retired_columns: what int_funnel_item_sums reads of the rows a run replaces or drops;
   meta.dropped_keys: the items to drop (macros/funnels/delete_rows_of_dropped_funnel_owners.sql) #}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert+retire',
        unique_key='owner_scope_key',
        on_schema_change='sync_all_columns',
        meta={'retired_columns': ['period_key', 'portal_id', 'entity_type', 'owner_pipeline_id', 'funnel_mode', 'assigned_user_id',
                                    'is_return_customer', 'amount_account', 'has_success_entry', 'has_failure_entry', 'built_at'],
              'dropped_keys': 'funnel_items_dropped_from_owners'},
        post_hook="{{ reset_retired_rows() }}",
    )
}}

with

all_stage_periods as (

    select * from {{ ref('int_funnel_stage_periods') }}

),

{% if is_incremental_with_documented_columns() %}
{#
    int_funnel_stage_periods rewrites every row of an item it recomputes and stamps them with its
    build's start: the rows newer than this table's newest are exactly the items to redo (and a
    zone-map scan finds them without reading the rest).
#}
stage_periods as (

    select *
    from all_stage_periods
    where built_at > {{ newest_built_at(this) }}

),
{% else %}
stage_periods as (

    select * from all_stage_periods

),
{% endif %}

items as (

    select
        period_key,
        period_start,
        portal_id,
        entity_type,
        owner_scope_key,
        owner_key,
        owner_pipeline_id,
        max(assigned_user_id) as assigned_user_id,
        max(case when is_return_customer then 1 else 0 end) = 1 as is_return_customer,
        max(amount_account) as amount_account,
        max(currency_id) as currency_id,
        max(rate_to_account_currency) as rate_to_account_currency,
        max(case when has_real_entry then 1 else 0 end) = 1 as has_real_entry,
        max(case when stage_semantics = 'success' then 1 else 0 end) = 1 as has_success_entry,
        max(case when stage_semantics = 'failure' then 1 else 0 end) = 1 as has_failure_entry,
        max(case when stage_semantics = 'success' and has_real_entry then 1 else 0 end) = 1 as has_real_success_entry,
        max(case when stage_semantics = 'failure' and has_real_entry then 1 else 0 end) = 1 as has_real_failure_entry,
        {# when this build started (not the stage rows' stamp): int_funnel_item_sums takes the rows written since it last ran #}
        {{ run_started_timestamp() }} as built_at
    from stage_periods
    group by period_key, period_start, portal_id, entity_type, owner_scope_key, owner_key, owner_pipeline_id

),

final as (

    select
        period_key, period_start, 'conversion' as funnel_mode, portal_id, entity_type, owner_scope_key,
        owner_key, owner_pipeline_id, assigned_user_id, is_return_customer, amount_account,
        currency_id, rate_to_account_currency,
        has_success_entry, has_failure_entry, built_at
    from items

    union all

    select
        period_key, period_start, 'classic' as funnel_mode, portal_id, entity_type, owner_scope_key,
        owner_key, owner_pipeline_id, assigned_user_id, is_return_customer, amount_account,
        currency_id, rate_to_account_currency,
        has_real_success_entry as has_success_entry,
        has_real_failure_entry as has_failure_entry,
        built_at
    from items
    where has_real_entry

)

select * from final
