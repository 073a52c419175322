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

{#
    Each kind of fact is summed on its own, with only the grain columns it has, and the sums are
    stacked: the metrics of the branches are disjoint (activity kinds and business events are
    tested against their lists), so no two branches share a row. One aggregation over every fact
    with all seven grain columns cost twice as much (3.2 M groups). The deals' close-date metrics
    come from one pass over the closed deals; each exists where a deal counts towards it.
#}
lead_facts as (

    select portal_id, assigned_user_id as user_id, created_date as fact_date, count(*) as fact_count
    from leads
    where created_date is not null
    group by portal_id, assigned_user_id, created_date

),

activity_facts as (

    select portal_id, responsible_user_id as user_id, held_date as fact_date, activity_kind, count(*) as fact_count
    from activities
    where held_date is not null
    group by portal_id, responsible_user_id, held_date, activity_kind

),

event_facts as (

    select
        first_event_entries.portal_id,
        first_event_entries.assigned_user_id as user_id,
        first_event_entries.pipeline_id,
        deal_attributes.payment_form,
        deal_attributes.sales_channel,
        first_event_entries.event_date as fact_date,
        first_event_entries.business_event,
        count(*) as fact_count
    from first_event_entries
    left join deal_attributes
        on first_event_entries.owner_key = deal_attributes.deal_key
    where first_event_entries.event_date is not null
    group by first_event_entries.portal_id, first_event_entries.assigned_user_id, first_event_entries.pipeline_id,
        deal_attributes.payment_form, deal_attributes.sales_channel, first_event_entries.event_date,
        first_event_entries.business_event

),

closed_deal_facts as (

    select
        portal_id,
        assigned_user_id as user_id,
        pipeline_id,
        payment_form,
        sales_channel,
        close_date as fact_date,
        count(*) filter (where is_won) as won_count,
        sum(cast(amount_account as decimal(20, 4))) filter (where is_won) as won_amount,
        count(*) filter (where is_won and area_m2 is not null) as won_with_area_count,
        sum(cast(area_m2 as decimal(20, 4))) filter (where is_won and area_m2 is not null) as won_area,
        sum(cast(amount_account as decimal(20, 4))) filter (where is_won and area_m2 is not null) as won_with_area_amount,
        count(*) filter (where is_lost) as lost_count
    from deal_attributes
    where close_date is not null
        and (is_won or is_lost)
    group by portal_id, assigned_user_id, pipeline_id, payment_form, sales_channel, close_date

),

payment_facts as (

    select
        payments.portal_id,
        payments.assigned_user_id as user_id,
        deal_attributes.pipeline_id,
        deal_attributes.payment_form,
        deal_attributes.sales_channel,
        payments.paid_date as fact_date,
        sum(cast(payments.amount_account as decimal(20, 4))) as fact_value
    from payments
    left join deal_attributes
        on payments.deal_key = deal_attributes.deal_key
    where payments.paid_date is not null
    group by payments.portal_id, payments.assigned_user_id, deal_attributes.pipeline_id, deal_attributes.payment_form,
        deal_attributes.sales_channel, payments.paid_date

),

final as (

    select portal_id, user_id, cast(null as {{ dbt.type_bigint() }}) as pipeline_id,
        cast(null as {{ dbt.type_string() }}) as payment_form, cast(null as {{ dbt.type_string() }}) as sales_channel,
        fact_date, 'leads' as metric, cast(fact_count as decimal(20, 4)) as fact_value
    from lead_facts

    union all

    select portal_id, user_id, cast(null as {{ dbt.type_bigint() }}), cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}), fact_date, activity_kind || 's', cast(fact_count as decimal(20, 4))
    from activity_facts

    union all

    select portal_id, user_id, pipeline_id, payment_form, sales_channel, fact_date,
        case business_event when 'payment' then 'payment_deals' else business_event || 's' end,
        cast(fact_count as decimal(20, 4))
    from event_facts

    union all

    {#- each close-date metric: its value and the count that says a deal counts towards it #}
    {%- for metric, value, count in [
        ('units', 'cast(won_count as decimal(20, 4))', 'won_count'),
        ('deal_value', 'won_amount', 'won_count'),
        ('area_m2', 'won_area', 'won_with_area_count'),
        ('area_deal_value', 'won_with_area_amount', 'won_with_area_count'),
        ('lost_deals', 'cast(lost_count as decimal(20, 4))', 'lost_count'),
    ] %}

    select portal_id, user_id, pipeline_id, payment_form, sales_channel, fact_date, '{{ metric }}', {{ value }}
    from closed_deal_facts
    where {{ count }} > 0

    union all
    {%- endfor %}

    select portal_id, user_id, pipeline_id, payment_form, sales_channel, fact_date, 'payments', fact_value
    from payment_facts

)

select * from final
