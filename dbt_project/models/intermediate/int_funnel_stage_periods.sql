{#
    Which items each standard period's funnels count, at each stage (reference §7.2–7.3): an entry
    belongs to [from, to] when entered_date <= to and close_date >= from. One row per period ×
    item × stage, for the conversion mode (every entry); has_real_entry marks the rows the classic
    mode keeps (at least one real entry in the period). max_spent_seconds is the inner MAX of the
    portal's funnel query; supposed entries carry no time, so it is the same in both modes.
#}
{{ config(materialized='table') }}

with

history as (

    select * from {{ ref('int_stage_history_with_supposed') }}

),

owners as (

    select * from {{ ref('int_funnel_owners') }}

),

entries as (

    select
        history.*,
        owners.owner_pipeline_id,
        owners.amount_account,
        owners.assigned_user_id,
        owners.is_return_customer
    from history
    inner join owners
        on history.portal_id = owners.portal_id
        and history.entity_type = owners.entity_type
        and history.owner_id = owners.owner_id

),

periods as (

    select * from {{ ref('int_report_periods') }}

),

in_period as (

    select
        periods.period_key,
        periods.period_type,
        periods.period_start,
        entries.portal_id,
        entries.entity_type,
        entries.owner_key,
        entries.owner_pipeline_id,
        entries.stage_key,
        entries.stage_semantics,
        entries.is_supposed,
        entries.spent_seconds,
        entries.amount_account,
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
        owner_key,
        owner_pipeline_id,
        stage_key,
        stage_semantics,
        max(case when is_supposed then 0 else 1 end) = 1 as has_real_entry,
        max(spent_seconds) as max_spent_seconds,
        max(amount_account) as amount_account,
        max(assigned_user_id) as assigned_user_id,
        {# bool_or is not portable to every adapter; max over 0/1 is #}
        max(case when is_return_customer then 1 else 0 end) = 1 as is_return_customer
    from in_period
    group by
        period_key, period_type, period_start, portal_id, entity_type, owner_key, owner_pipeline_id,
        stage_key, stage_semantics

)

select * from final
