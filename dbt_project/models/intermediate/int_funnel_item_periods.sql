{#
    The items (deals, leads) each standard period's funnels count, per mode (reference §7.2):
    classic counts an item with at least one real entry in the period, conversion any entry. Flags
    say whether the counted entries include a success or a failure stage — the employee grids of
    §7.4–7.5 count those ("converted", "junk", "won", "lost") — and the funnel totals are counts of
    these rows. One pass over int_funnel_stage_periods gives both modes.

    Incremental (delete+insert by item), following int_funnel_stage_periods: a run takes the items
    whose rows there carry a newer transition or owner change than this table has seen, fall into
    a period this table does not have yet, or are in a currency whose rate has changed; the
    post-hook drops the items the funnels no longer count.
#}
-- depends_on: {{ ref('int_deals_enriched') }}, {{ ref('int_leads_enriched') }}  (the post-hook reads them)
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='owner_scope_key',
        on_schema_change='fail',
        post_hook="{{ delete_rows_of_dropped_funnel_owners() }}",
    )
}}

with

{# not materialized: incremental runs read it twice, and DuckDB would first copy all of it #}
all_stage_periods as not materialized (

    select * from {{ ref('int_funnel_stage_periods') }}

),

{% if is_incremental() %}
watermarks as (

    select
        portal_id,
        entity_type,
        max(last_event_id) as last_event_id,
        max(owner_modified_at) as owner_modified_at,
        max(period_start) as period_start
    from {{ this }}
    group by portal_id, entity_type

),

changed_owners as (

    select all_stage_periods.owner_scope_key
    from all_stage_periods
    left join watermarks
        on all_stage_periods.portal_id = watermarks.portal_id
        and all_stage_periods.entity_type = watermarks.entity_type
    where watermarks.portal_id is null
        or all_stage_periods.last_event_id > watermarks.last_event_id
        or all_stage_periods.owner_modified_at > watermarks.owner_modified_at
        or all_stage_periods.period_start > watermarks.period_start

    union

    {# items in a currency whose rate has changed since the build #}
    select all_stage_periods.owner_scope_key
    from all_stage_periods
    inner join (
        select distinct portal_id, entity_type, currency_id, rate_to_account_currency from {{ this }}
    ) as built_rates
        on all_stage_periods.portal_id = built_rates.portal_id
        and all_stage_periods.entity_type = built_rates.entity_type
        and all_stage_periods.currency_id is not distinct from built_rates.currency_id
    where all_stage_periods.rate_to_account_currency is distinct from built_rates.rate_to_account_currency

),

stage_periods as (

    select *
    from all_stage_periods
    where owner_scope_key in (select owner_scope_key from changed_owners)

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
        max(last_event_id) as last_event_id,
        max(owner_modified_at) as owner_modified_at
    from stage_periods
    group by period_key, period_start, portal_id, entity_type, owner_scope_key, owner_key, owner_pipeline_id

),

final as (

    select
        period_key, period_start, 'conversion' as funnel_mode, portal_id, entity_type, owner_scope_key,
        owner_key, owner_pipeline_id, assigned_user_id, is_return_customer, amount_account,
        currency_id, rate_to_account_currency,
        has_success_entry, has_failure_entry, last_event_id, owner_modified_at
    from items

    union all

    select
        period_key, period_start, 'classic' as funnel_mode, portal_id, entity_type, owner_scope_key,
        owner_key, owner_pipeline_id, assigned_user_id, is_return_customer, amount_account,
        currency_id, rate_to_account_currency,
        has_real_success_entry as has_success_entry,
        has_real_failure_entry as has_failure_entry,
        last_event_id, owner_modified_at
    from items
    where has_real_entry

)

select * from final
