{#
    Which items each standard period's funnels count, at each stage (reference §7.2–7.3): an entry
    belongs to [from, to] when entered_date <= to and close_date >= from. One row per period ×
    item × stage, for the conversion mode (every entry); has_real_entry marks the rows the classic
    mode keeps (at least one real entry in the period). max_spent_seconds is the inner MAX of the
    portal's funnel query; supposed entries carry no time, so it is the same in both modes.

    Incremental (delete+insert by item): a run recomputes the items with a newer stage transition,
    the items whose amount, currency rate, responsible user, pipeline or repeat flag changed since
    (int_funnel_owners stamps the items whose attributes it rewrote), and, when a new period
    starts, the items still open then; the same delete drops the rows of items the funnels no
    longer count (deleted and recurring records, meta.dropped_keys). Replaced and dropped rows
    are retired (macros/retired_rows.sql): int_funnel_stage_sums subtracts them.
#}
-- depends_on: {{ ref('stg_bitrix24__deals') }}, {{ ref('stg_bitrix24__leads') }}  (the dropped items: meta.dropped_keys)
{# meta.retired_columns: what int_funnel_stage_sums reads of the rows a run replaces or drops;
   meta.dropped_keys: the items to drop (macros/funnels/delete_rows_of_dropped_funnel_owners.sql) #}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert+retire',
        unique_key='owner_scope_key',
        on_schema_change='sync_all_columns',
        meta={'retired_columns': ['period_key', 'portal_id', 'entity_type', 'owner_pipeline_id', 'stage_key', 'has_real_entry',
                                    'amount_account', 'max_spent_seconds', 'built_at'],
              'dropped_keys': 'funnel_items_dropped_from_owners'},
        post_hook="{{ reset_retired_rows() }}",
    )
}}

with

{# not materialized: incremental runs read it twice, and DuckDB would first copy all of it #}
history as not materialized (

    select * from {{ ref('int_stage_history_with_supposed') }}

),

owners as not materialized (

    select * from {{ ref('int_funnel_owners') }}

),

periods as (

    select * from {{ ref('int_report_periods') }}

),

{% if is_incremental_with_documented_columns() %}
{# the first period the last build did not have (NULL when none is new) #}
new_periods as (

    select min(period_start) as first_new_period_start
    from periods
    where period_start > (select max(period_start) from {{ this }})

),

{# a new amount, rate (each row keeps the rate its amount was converted at), user or pipeline:
   int_funnel_owners stamps the items whose attributes it rewrote #}
changed_owners as materialized (

    select owner_scope_key from owners where built_at > {{ newest_built_at(this) }}

),

{#
    Whole items (an item's history rows share their build time and close date): those
    int_stage_history_with_supposed rewrote since this table's newest row (a newer transition),
    those still open when a new period starts, and the changed ones. A filter with an OR keeps
    DuckDB from hashing all 7 M history rows to probe them with the few changed items (it chose
    to for a plain IN).
#}
scoped_history as (

    select *
    from history
    where built_at > {{ newest_built_at(this) }}
        or close_date >= (select first_new_period_start from new_periods)
        or owner_scope_key in (select owner_scope_key from changed_owners)

),
{% else %}
scoped_history as (

    select * from history

),
{% endif %}

entries as (

    select
        scoped_history.*,
        owners.owner_pipeline_id,
        owners.amount_account,
        owners.currency_id,
        owners.rate_to_account_currency,
        owners.assigned_user_id,
        owners.is_return_customer
    from scoped_history
    inner join owners
        on scoped_history.portal_id = owners.portal_id
        and scoped_history.entity_type = owners.entity_type
        and scoped_history.owner_id = owners.owner_id

),

in_period as (

    select
        periods.period_key,
        periods.period_type,
        periods.period_start,
        entries.portal_id,
        entries.entity_type,
        entries.owner_scope_key,
        entries.owner_key,
        entries.owner_pipeline_id,
        entries.stage_key,
        entries.stage_semantics,
        entries.is_supposed,
        entries.spent_seconds,
        entries.amount_account,
        entries.currency_id,
        entries.rate_to_account_currency,
        entries.assigned_user_id,
        entries.is_return_customer
    from entries
    inner join periods
        on entries.entered_date <= periods.period_end
        and entries.close_date >= periods.period_start

),

final as (

    select
        period_key,
        period_type,
        period_start,
        portal_id,
        entity_type,
        owner_scope_key,
        owner_key,
        owner_pipeline_id,
        stage_key,
        stage_semantics,
        max(case when is_supposed then 0 else 1 end) = 1 as has_real_entry,
        max(spent_seconds) as max_spent_seconds,
        max(amount_account) as amount_account,
        max(currency_id) as currency_id,
        max(rate_to_account_currency) as rate_to_account_currency,
        max(assigned_user_id) as assigned_user_id,
        {# bool_or is not portable to every adapter; max over 0/1 is #}
        max(case when is_return_customer then 1 else 0 end) = 1 as is_return_customer,
        {# when this build started: int_funnel_item_periods redoes the items with rows newer than its own #}
        {{ run_started_timestamp() }} as built_at
    from in_period
    group by
        period_key, period_type, period_start, portal_id, entity_type, owner_scope_key, owner_key,
        owner_pipeline_id, stage_key, stage_semantics

)

select * from final
