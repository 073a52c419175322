{# Leads, CRM-agnostic, with the amount in the account currency (as int_deals_enriched). #}
with

leads as (

    select * from {{ ref('stg_bitrix24__leads') }}

),

currencies as (

    select * from {{ ref('stg_bitrix24__currencies') }}

),

portals as (

    select * from {{ ref('stg_bitrix24__portals') }}

),

final as (

    select
        leads.*,
        {{ stage_key('leads.portal_id', "'lead'", 'null', 'leads.stage_id') }} as stage_key,
        coalesce(currencies.rate_to_base, 1) as rate_to_account_currency,
        {# OPPORTUNITY_ACCOUNT is money: rounded to kopecks, kept decimal so sums stay exact #}
        {{ to_account_currency('leads.amount', 'currencies.rate_to_base') }} as amount_account,
        {{ portal_local_date('leads.created_at', 'coalesce(portals.utc_offset_minutes, 0)') }} as created_date,
        {{ portal_local_date('leads.closed_at', 'coalesce(portals.utc_offset_minutes, 0)') }} as closed_date
    from leads
    left join currencies
        on leads.portal_id = currencies.portal_id
        and leads.currency_id = currencies.currency_id
    left join portals
        on leads.portal_id = portals.portal_id

)

select * from final
