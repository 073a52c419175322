{#
    Deals and leads, CRM-agnostic, with the amount in the account currency: the select of
    int_deals_enriched and int_leads_enriched over a relation of staged records, so an incremental
    fact can enrich just the records it rewrites (a filter above the view's joins would not reach
    the staged rows: the view would enrich every record first).

    Bitrix24's reports use OPPORTUNITY_ACCOUNT, which the API does not return (reference §7.3): we
    convert OPPORTUNITY with the portal's current rates (crm.currency.list), so a record saved at
    an older rate can differ slightly. A deal without a currency is taken to be in the base
    currency.
#}
{% macro enriched_deals(deals) -%}
with

deals as (

    select * from {{ deals }}

),

currencies as (

    select * from {{ ref('stg_bitrix24__currencies') }}

),

portals as (

    select * from {{ ref('stg_bitrix24__portals') }}

),

base_currencies as (

    {{ account_currencies('currencies') }}

),

final as (

    select
        deals.*,
        {{ stage_key('deals.portal_id', "'deal'", 'deals.pipeline_id', 'deals.stage_id') }} as stage_key,
        {# the customer a deal is for: its company, else its contact (reference §7.9) #}
        case
            when deals.company_id is not null
                then deals.portal_id || ':company:' || cast(deals.company_id as {{ dbt.type_string() }})
            when deals.contact_id is not null
                then deals.portal_id || ':contact:' || cast(deals.contact_id as {{ dbt.type_string() }})
        end as customer_key,
        coalesce(currencies.rate_to_base, 1) as rate_to_account_currency,
        {# OPPORTUNITY_ACCOUNT is money: rounded to kopecks, kept decimal so sums stay exact #}
        {{ to_account_currency('deals.amount', 'currencies.rate_to_base') }} as amount_account,
        base_currencies.base_currency_id as account_currency_id,
        {{ portal_local_date('deals.created_at', 'coalesce(portals.utc_offset_minutes, 0)') }} as created_date
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
{%- endmacro %}


{% macro enriched_leads(leads) -%}
with

leads as (

    select * from {{ leads }}

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
{%- endmacro %}
