{#
    The deals and leads the funnels count, with the attributes the funnels group by: current
    pipeline, amount in the account currency, responsible user, initial/repeat. Recurring-deal
    templates and deleted records are left out (every Bitrix24 analytics handler drops them).
    A table: the incremental funnel models compare it with their built rows several times a run.
#}
{{ config(materialized='table') }}

with

deals as (

    select * from {{ ref('int_deals_enriched') }}
    where not is_deleted
        and not coalesce(is_recurring, false)

),

leads as (

    select * from {{ ref('int_leads_enriched') }}
    where not is_deleted

),

final as (

    select
        {{ scoped_key('portal_id', "'deal'", 'deal_id') }} as owner_scope_key,
        'deal' as entity_type,
        portal_id,
        deal_id as owner_id,
        deal_key as owner_key,
        pipeline_id as owner_pipeline_id,
        stage_id as current_stage_id,
        amount_account,
        currency_id,
        rate_to_account_currency,
        assigned_user_id,
        source_id,
        coalesce(is_return_customer, false) as is_return_customer,
        modified_at
    from deals

    union all

    select
        {{ scoped_key('portal_id', "'lead'", 'lead_id') }} as owner_scope_key,
        'lead' as entity_type,
        portal_id,
        lead_id as owner_id,
        lead_key as owner_key,
        cast(null as bigint) as owner_pipeline_id,
        stage_id as current_stage_id,
        amount_account,
        currency_id,
        rate_to_account_currency,
        assigned_user_id,
        source_id,
        coalesce(is_return_customer, false) as is_return_customer,
        modified_at
    from leads

)

select * from final
