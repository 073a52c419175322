{#
    What each manager did each day, metric by metric — the fact side of the plan/fact marts, one row
    per portal × user × pipeline × day × metric × payment form × sales channel (pipeline, payment
    form and sales channel come with the deal a fact belongs to: NULL for leads and activities).
    Facts:
      leads          leads created, by their responsible user, creation day;
      calls, meetings, showings
                     completed activities of that kind (business rules), by the responsible user, held day;
      bookings, contracts, payment_deals
                     deals entering a stage the rules map to the event for the first time (real
                     entries), by the deal's responsible user, entry day;
      units, deal_value, area_m2
                     won deals by CLOSEDATE and responsible user, count / amount in the account
                     currency / area (Bitrix24's sales-target semantics, reference §7.8);
      payments       paid invoices by payment day and the invoice's responsible user;
      lost_deals     deals lost, by CLOSEDATE (conversion = units / (units + lost_deals));
      area_deal_value
                     amount of the won deals that have an area (price per m² = it / area_m2).
    Deleted records and recurring-deal templates do not count.
#}
{{ config(materialized='table') }}

with

leads as (

    select * from {{ ref('fct_leads') }}
    where not is_deleted

),

activities as (

    select * from {{ ref('fct_activities') }}
    where not is_deleted
        and is_completed
        and activity_kind is not null

),

entries as (

    select * from {{ ref('funnel_stage_entries') }}
    where entity_type = 'deal'
        and not is_supposed

),

event_stages as (

    select * from {{ ref('stg_inputs__business_event_stages') }}

),

deals as (

    select * from {{ ref('fct_deals') }}
    where not is_deleted
        and not coalesce(is_recurring, false)

),

deal_fields as (

    select * from {{ ref('int_deals_business_fields') }}

),

payments as (

    select * from {{ ref('fct_payments') }}
    where not is_deleted
        and is_paid

),

first_event_entries as (

    select
        entries.portal_id,
        entries.owner_key,
        event_stages.business_event,
        min(entries.entered_date) as event_date,
        max(entries.assigned_user_id) as assigned_user_id,
        max(entries.owner_pipeline_id) as pipeline_id
    from entries
    inner join event_stages
        on entries.stage_id = event_stages.stage_id
    group by entries.portal_id, entries.owner_key, event_stages.business_event

),

deal_attributes as (

    select
        deals.deal_key,
        deals.portal_id,
        deals.assigned_user_id,
        deals.pipeline_id,
        deals.close_date,
        deals.is_won,
        deals.is_lost,
        deals.amount_account,
        deal_fields.payment_form,
        deal_fields.sales_channel,
        deal_fields.area_m2
    from deals
    left join deal_fields
        on deals.deal_key = deal_fields.deal_key

),

{# one row per fact; deal-linked facts carry the deal's pipeline, payment form and sales channel #}
facts as (

    select portal_id, assigned_user_id as user_id, cast(null as {{ dbt.type_bigint() }}) as pipeline_id,
        cast(null as {{ dbt.type_string() }}) as payment_form, cast(null as {{ dbt.type_string() }}) as sales_channel,
        created_date as fact_date, 'leads' as metric, cast(1 as decimal(20, 4)) as fact_value
    from leads

    union all

    select portal_id, responsible_user_id, cast(null as {{ dbt.type_bigint() }}), cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}), held_date, activity_kind || 's', cast(1 as decimal(20, 4))
    from activities

    union all

    select first_event_entries.portal_id, first_event_entries.assigned_user_id, first_event_entries.pipeline_id,
        deal_attributes.payment_form, deal_attributes.sales_channel, first_event_entries.event_date,
        case first_event_entries.business_event when 'payment' then 'payment_deals'
            else first_event_entries.business_event || 's' end,
        cast(1 as decimal(20, 4))
    from first_event_entries
    left join deal_attributes
        on first_event_entries.owner_key = deal_attributes.deal_key

    union all

    select deal_attributes.portal_id, deal_attributes.assigned_user_id, deal_attributes.pipeline_id,
        deal_attributes.payment_form, deal_attributes.sales_channel, deal_attributes.close_date,
        deal_metrics.metric,
        case deal_metrics.metric
            when 'units' then cast(1 as decimal(20, 4))
            when 'lost_deals' then cast(1 as decimal(20, 4))
            when 'deal_value' then cast(deal_attributes.amount_account as decimal(20, 4))
            when 'area_m2' then cast(deal_attributes.area_m2 as decimal(20, 4))
            when 'area_deal_value' then cast(deal_attributes.amount_account as decimal(20, 4))
        end
    from deal_attributes
    inner join (
        select 'units' as metric union all select 'deal_value' union all select 'area_m2'
        union all select 'area_deal_value' union all select 'lost_deals'
    ) as deal_metrics
        on (deal_metrics.metric = 'lost_deals' and deal_attributes.is_lost)
        or (deal_metrics.metric in ('units', 'deal_value') and deal_attributes.is_won)
        or (deal_metrics.metric in ('area_m2', 'area_deal_value') and deal_attributes.is_won
            and deal_attributes.area_m2 is not null)

    union all

    select payments.portal_id, payments.assigned_user_id, deal_attributes.pipeline_id,
        deal_attributes.payment_form, deal_attributes.sales_channel, payments.paid_date, 'payments',
        cast(payments.amount_account as decimal(20, 4))
    from payments
    left join deal_attributes
        on payments.deal_key = deal_attributes.deal_key

),

final as (

    select
        portal_id,
        user_id,
        pipeline_id,
        payment_form,
        sales_channel,
        fact_date,
        metric,
        sum(fact_value) as fact_value
    from facts
    where fact_date is not null
    group by portal_id, user_id, pipeline_id, payment_form, sales_channel, fact_date, metric

)

select * from final
