{#
    The funnel figures per standard period, stage and the item's pipeline: int_funnel_stage_periods
    summed (deal_funnel_by_period and lead_funnel_by_period read these few thousand rows instead of
    its tens of millions). Incremental by delta: a run adds the rows int_funnel_stage_periods wrote
    since and subtracts those it replaced or deleted (macros/sums_over_retired_rows.sql).
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='funnel_stage_sums_key',
        on_schema_change='sync_all_columns',
        post_hook="{{ sums_over_retired_rows_post_hook(ref('int_funnel_stage_periods'), 'conversion_count') }}",
    )
}}

{{ sums_over_retired_rows(
    ref('int_funnel_stage_periods'),
    grain=[
        ['period_key', 'period_key'],
        ['portal_id', 'portal_id'],
        ['entity_type', 'entity_type'],
        ['owner_pipeline_id', 'owner_pipeline_id'],
        ['stage_key', 'stage_key'],
    ],
    measures=[
        ['conversion_count', '1', 'bigint'],
        ['classic_count', 'case when has_real_entry then 1 else 0 end', 'bigint'],
        ['conversion_amount', 'coalesce(amount_account, 0)', 'decimal(38, 2)'],
        ['classic_amount', 'case when has_real_entry then coalesce(amount_account, 0) else 0 end', 'decimal(38, 2)'],
        ['spent_seconds_sum', 'coalesce(max_spent_seconds, 0)', 'bigint'],
        ['spent_item_count', 'case when has_real_entry and max_spent_seconds is not null then 1 else 0 end', 'bigint'],
    ],
    key_name='funnel_stage_sums_key',
) }}
