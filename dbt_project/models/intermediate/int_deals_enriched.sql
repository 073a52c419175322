{#
    Deals, CRM-agnostic, with the amount in the account currency. Bitrix24's reports use
    OPPORTUNITY_ACCOUNT, which the API does not return (reference §7.3): we convert OPPORTUNITY with
    the portal's current rates (crm.currency.list), so a deal saved at an older rate can differ
    slightly. A deal without a currency is taken to be in the base currency.
#}
with

deals as (

    select * from {{ ref('stg_bitrix24__deals') }}

),

currencies as (

    select * from {{ ref('stg_bitrix24__currencies') }}

),

portals as (

    select * from {{ ref('stg_bitrix24__portals') }}

),

base_currencies as (

    select portal_id, min(currency_id) as base_currency_id
    from currencies
    where is_base
    group by portal_id

),

final as (

    select
        deals.deal_key,
        deals.portal_id,
        deals.deal_id,
        deals.pipeline_id,
        deals.stage_id,
        {{ stage_key('deals.portal_id', "'deal'", 'deals.pipeline_id', 'deals.stage_id') }} as stage_key,
        deals.stage_semantics,
        deals.deal_title,
        deals.deal_type_id,
        deals.source_id,
        deals.lead_id,
        deals.company_id,
        deals.contact_id,
        {# the customer a deal is for: its company, else its contact (reference §7.9) #}
        case
            when deals.company_id is not null then deals.portal_id || ':company:' || cast(deals.company_id as {{ dbt.type_string() }})
            when deals.contact_id is not null then deals.portal_id || ':contact:' || cast(deals.contact_id as {{ dbt.type_string() }})
        end as customer_key,
        deals.assigned_user_id,
        deals.currency_id,
        deals.amount,
        coalesce(currencies.rate_to_base, 1) as rate_to_account_currency,
        deals.amount * coalesce(currencies.rate_to_base, 1) as amount_account,
        base_currencies.base_currency_id as account_currency_id,
        deals.probability_pct,
        coalesce(deals.is_closed, false) as is_closed,
        coalesce(deals.is_recurring, false) as is_recurring,
        coalesce(deals.is_return_customer, false) as is_return_customer,
        coalesce(deals.is_repeated_approach, false) as is_repeated_approach,
        deals.is_deleted,
        deals.created_at,
        {{ portal_local_date('deals.created_at', 'coalesce(portals.utc_offset_minutes, 0)') }} as created_date,
        deals.modified_at,
        deals.begin_date,
        {# CLOSEDATE is a date; the API sends it as local midnight with the portal's offset #}
        {{ portal_local_date('deals.close_date', 'coalesce(portals.utc_offset_minutes, 0)') }} as close_date,
        deals.moved_at
    from deals
    left join currencies
        on deals.portal_id = currencies.portal_id
        and deals.currency_id = currencies.currency_id
    left join base_currencies
        on deals.portal_id = base_currencies.portal_id
    left join portals
        on deals.portal_id = portals.portal_id

)

select * from final
