{#
    The items the funnels count, per standard period, mode, pipeline, responsible user (0 for none)
    and customer kind: int_funnel_item_periods summed for the funnel totals and the employee grids
    (a few hundred thousand rows instead of its millions). Incremental by delta: a run adds the rows
    int_funnel_item_periods wrote since and subtracts those it replaced or deleted
    (macros/sums_over_retired_rows.sql).
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='funnel_item_sums_key',
        on_schema_change='sync_all_columns',
        post_hook="{{ sums_over_retired_rows_post_hook(ref('int_funnel_item_periods'), 'item_count') }}",
    )
}}

{{ sums_over_retired_rows(
    ref('int_funnel_item_periods'),
    grain=[
        ['period_key', 'period_key'],
        ['portal_id', 'portal_id'],
        ['entity_type', 'entity_type'],
        ['owner_pipeline_id', 'owner_pipeline_id'],
        ['funnel_mode', 'funnel_mode'],
        ['assigned_user_id', 'coalesce(assigned_user_id, 0)'],
        ['is_return_customer', 'is_return_customer'],
    ],
    measures=[
        ['item_count', '1', 'bigint'],
        ['amount_account', 'coalesce(amount_account, 0)', 'decimal(38, 2)'],
        ['success_count', 'case when has_success_entry then 1 else 0 end', 'bigint'],
        ['success_amount_account', 'case when has_success_entry then coalesce(amount_account, 0) else 0 end', 'decimal(38, 2)'],
        ['failure_count', 'case when has_failure_entry then 1 else 0 end', 'bigint'],
    ],
    key_name='funnel_item_sums_key',
) }}
