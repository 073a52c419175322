/*
    The plan/fact marts count exactly what the fact tables hold: per portal, the facts of
    int_business_facts_daily (and so of activity_plan_fact_daily and sales_plan_fulfilment) equal
    the won deals and their amounts in fct_deals, the paid invoices in fct_payments, the completed
    calls, meetings and showings in fct_activities and the leads in fct_leads; and the company-scope
    monthly facts of sales_plan_fulfilment add up to the same totals. Returns the metrics that differ.
*/
with

deals as (

    select * from {marts}.fct_deals
    where is_won and not is_deleted and not coalesce(is_recurring, false) and close_date is not null

),

expected as (

    select portal_id, 'units' as metric, cast(count(*) as decimal(38, 4)) as total from deals group by 1
    union all
    select portal_id, 'deal_value', cast(sum(amount_account) as decimal(38, 4)) from deals group by 1
    union all
    select portal_id, 'payments', cast(sum(amount_account) as decimal(38, 4))
    from {marts}.fct_payments where is_paid and not is_deleted and paid_date is not null group by 1
    union all
    select portal_id, activity_kind || 's', cast(count(*) as decimal(38, 4))
    from {marts}.fct_activities where is_completed and not is_deleted and activity_kind is not null group by 1, 2
    union all
    select portal_id, 'leads', cast(count(*) as decimal(38, 4))
    from {marts}.fct_leads where not is_deleted and created_date is not null group by 1

),

daily_facts as (

    select portal_id, metric, cast(sum(fact_value) as decimal(38, 4)) as total
    from {intermediate}.int_business_facts_daily
    where metric in ('units', 'deal_value', 'payments', 'calls', 'meetings', 'showings', 'leads')
    group by 1, 2

),

fulfilment_facts as (

    select portal_id, metric, cast(sum(fact_value) as decimal(38, 4)) as total
    from {batch} as guarded
    where scope = 'company' and period_type = 'month' and breakdown = 'total'
        and metric in ('units', 'deal_value', 'payments', 'calls', 'meetings', 'showings', 'leads')
    group by 1, 2

),

compared as (

    select
        coalesce(expected.portal_id, daily_facts.portal_id) as portal_id,
        coalesce(expected.metric, daily_facts.metric) as metric,
        expected.total as fact_table_total,
        daily_facts.total as daily_facts_total,
        fulfilment_facts.total as fulfilment_total
    from expected
    full outer join daily_facts
        on expected.portal_id = daily_facts.portal_id
        and expected.metric = daily_facts.metric
    left join fulfilment_facts
        on coalesce(expected.portal_id, daily_facts.portal_id) = fulfilment_facts.portal_id
        and coalesce(expected.metric, daily_facts.metric) = fulfilment_facts.metric

)

select * from compared
where coalesce(fact_table_total, 0) <> coalesce(daily_facts_total, 0)
    or coalesce(fact_table_total, 0) <> coalesce(fulfilment_total, 0)
