{#
    Plan fulfilment (docs/marts.md): per portal × scope (manager, department, pipeline, company) ×
    period (month, quarter, half-year, year) × metric, the plan, the fact and fact / plan × 100,
    with breakdowns of the deal metrics by payment form and by sales channel (fact only).
    Plans: a manager's as given; a department's or the company's as given, else the sum of the
    manager plans of its users (plan_source says which; 'mixed' when a period's months differ); a pipeline's as given. A period's plan is
    the sum of its months' plans. Facts: int_business_facts_daily (won deals by CLOSEDATE for
    units and deal_value — Bitrix24's sales targets, reference §7.8). A department's facts are its
    users' (by primary department). Derived metrics: price_per_m2 (value of the won deals with an
    area / their area; plan = deal_value plan / area plan) and conversion_pct (won / (won + lost)
    deals closed in the period; no plan).
#}
with

{# the daily facts summed by month first: every period is a set of months #}
facts as (

    select
        facts.portal_id,
        facts.user_id,
        users.department_id,
        facts.pipeline_id,
        facts.payment_form,
        facts.sales_channel,
        calendar.month_start,
        facts.metric,
        sum(facts.fact_value) as fact_value
    from {{ ref('int_business_facts_daily') }} as facts
    inner join {{ ref('dim_dates') }} as calendar
        on facts.fact_date = calendar.date_day
    left join {{ ref('dim_users') }} as users
        on facts.portal_id = users.portal_id
        and facts.user_id = users.user_id
    group by 1, 2, 3, 4, 5, 6, 7, 8

),

calendar as (

    select * from {{ ref('dim_dates') }}

),

manager_plans as (

    select
        plans.*,
        users.department_id
    from {{ ref('stg_inputs__sales_plans') }} as plans
    left join {{ ref('dim_users') }} as users
        on plans.portal_id = users.portal_id
        and plans.scope = 'manager'
        and plans.scope_id = cast(users.user_id as {{ dbt.type_string() }})

),

given_plans as (

    select portal_id, month_start, scope, scope_id, metric, plan_value, 'given' as plan_source
    from manager_plans

),

summed_plans as (

    select portal_id, month_start, 'department' as scope, cast(department_id as {{ dbt.type_string() }}) as scope_id,
        metric, sum(plan_value) as plan_value, 'sum_of_managers' as plan_source
    from manager_plans
    where scope = 'manager' and department_id is not null
    group by portal_id, month_start, department_id, metric

    union all

    select portal_id, month_start, 'company', cast(null as {{ dbt.type_string() }}), metric, sum(plan_value),
        'sum_of_managers'
    from manager_plans
    where scope = 'manager'
    group by portal_id, month_start, metric

),

monthly_plans as (

    select * from given_plans

    union all

    select summed_plans.*
    from summed_plans
    left join given_plans
        on summed_plans.portal_id = given_plans.portal_id
        and summed_plans.month_start = given_plans.month_start
        and summed_plans.scope = given_plans.scope
        and coalesce(summed_plans.scope_id, '') = coalesce(given_plans.scope_id, '')
        and summed_plans.metric = given_plans.metric
    where given_plans.portal_id is null

),

{# each fact under every scope it counts for #}
scoped_facts as (

    select portal_id, 'manager' as scope, cast(user_id as {{ dbt.type_string() }}) as scope_id, month_start, metric,
        payment_form, sales_channel, fact_value
    from facts
    where user_id is not null

    union all

    select portal_id, 'department', cast(department_id as {{ dbt.type_string() }}), month_start, metric,
        payment_form, sales_channel, fact_value
    from facts
    where department_id is not null

    union all

    select portal_id, 'pipeline', cast(pipeline_id as {{ dbt.type_string() }}), month_start, metric,
        payment_form, sales_channel, fact_value
    from facts
    where pipeline_id is not null

    union all

    select portal_id, 'company', cast(null as {{ dbt.type_string() }}), month_start, metric,
        payment_form, sales_channel, fact_value
    from facts

),

period_types as (

    select 'month' as period_type
    union all select 'quarter'
    union all select 'half'
    union all select 'year'

),

{# the first day of the month's period of each type #}
month_periods as (

    select distinct
        calendar.month_start,
        period_types.period_type,
        case period_types.period_type
            when 'month' then calendar.month_start
            when 'quarter' then calendar.quarter_start
            when 'half' then case when calendar.month_number <= 6 then calendar.year_start
                else cast({{ dbt.dateadd('month', 6, 'calendar.year_start') }} as date) end
            when 'year' then calendar.year_start
        end as period_start
    from calendar
    cross join period_types

),

{# summed by month under each scope and breakdown first, then spread over the periods: the
   months' sums are far fewer rows than the facts times every period type and breakdown #}
monthly_scoped_facts as (

    select
        scoped_facts.portal_id, scoped_facts.scope, scoped_facts.scope_id, scoped_facts.month_start,
        scoped_facts.metric, breakdowns.breakdown,
        case breakdowns.breakdown
            when 'payment_form' then coalesce(scoped_facts.payment_form, '(none)')
            when 'sales_channel' then coalesce(scoped_facts.sales_channel, '(none)')
            else 'all'
        end as breakdown_value,
        sum(scoped_facts.fact_value) as fact_value
    from scoped_facts
    inner join (
        select 'total' as breakdown union all select 'payment_form' union all select 'sales_channel'
    ) as breakdowns
        on breakdowns.breakdown = 'total'
        or scoped_facts.metric in ('bookings', 'contracts', 'payment_deals', 'units', 'deal_value', 'area_m2',
                                   'area_deal_value', 'lost_deals', 'payments')
    group by 1, 2, 3, 4, 5, 6, 7

),

period_facts as (

    select
        monthly_scoped_facts.portal_id, monthly_scoped_facts.scope, monthly_scoped_facts.scope_id,
        month_periods.period_type, month_periods.period_start, monthly_scoped_facts.metric,
        monthly_scoped_facts.breakdown, monthly_scoped_facts.breakdown_value,
        sum(monthly_scoped_facts.fact_value) as fact_value
    from monthly_scoped_facts
    inner join month_periods
        on monthly_scoped_facts.month_start = month_periods.month_start
    group by 1, 2, 3, 4, 5, 6, 7, 8

),

period_plans as (

    select
        monthly_plans.portal_id, monthly_plans.scope, monthly_plans.scope_id, month_periods.period_type,
        month_periods.period_start, monthly_plans.metric, 'total' as breakdown, 'all' as breakdown_value,
        sum(monthly_plans.plan_value) as plan_value,
        case when min(monthly_plans.plan_source) = max(monthly_plans.plan_source)
            then min(monthly_plans.plan_source) else 'mixed' end as plan_source
    from monthly_plans
    inner join month_periods
        on monthly_plans.month_start = month_periods.month_start
    group by 1, 2, 3, 4, 5, 6, 7, 8

),

measured as (

    select
        coalesce(period_facts.portal_id, period_plans.portal_id) as portal_id,
        coalesce(period_facts.scope, period_plans.scope) as scope,
        coalesce(period_facts.scope_id, period_plans.scope_id) as scope_id,
        coalesce(period_facts.period_type, period_plans.period_type) as period_type,
        coalesce(period_facts.period_start, period_plans.period_start) as period_start,
        coalesce(period_facts.metric, period_plans.metric) as metric,
        coalesce(period_facts.breakdown, period_plans.breakdown) as breakdown,
        coalesce(period_facts.breakdown_value, period_plans.breakdown_value) as breakdown_value,
        period_plans.plan_value,
        period_plans.plan_source,
        coalesce(period_facts.fact_value, 0) as fact_value
    from period_facts
    full outer join period_plans
        on period_facts.portal_id = period_plans.portal_id
        and period_facts.scope = period_plans.scope
        and coalesce(period_facts.scope_id, '') = coalesce(period_plans.scope_id, '')
        and period_facts.period_type = period_plans.period_type
        and period_facts.period_start = period_plans.period_start
        and period_facts.metric = period_plans.metric
        and period_facts.breakdown = period_plans.breakdown
        and period_facts.breakdown_value = period_plans.breakdown_value

),

derived as (

    select
        portal_id, scope, scope_id, period_type, period_start, 'price_per_m2' as metric, breakdown, breakdown_value,
        cast(round(max(case when metric = 'deal_value' then plan_value end)
            / nullif(max(case when metric = 'area_m2' then plan_value end), 0), 4) as decimal(20, 4)) as plan_value,
        case when max(case when metric = 'area_m2' then plan_value end) > 0
            then max(case when metric = 'deal_value' then plan_source end) end as plan_source,
        cast(round(max(case when metric = 'area_deal_value' then fact_value end)
            / nullif(max(case when metric = 'area_m2' then fact_value end), 0), 4) as decimal(20, 4)) as fact_value
    from measured
    where metric in ('deal_value', 'area_m2', 'area_deal_value')
    group by 1, 2, 3, 4, 5, 7, 8

    union all

    select
        portal_id, scope, scope_id, period_type, period_start, 'conversion_pct', breakdown, breakdown_value,
        cast(null as decimal(20, 4)), cast(null as {{ dbt.type_string() }}),
        cast(round(100.0 * max(case when metric = 'units' then fact_value else 0 end)
            / nullif(max(case when metric = 'units' then fact_value else 0 end)
                     + max(case when metric = 'lost_deals' then fact_value else 0 end), 0), 1) as decimal(20, 4))
    from measured
    where metric in ('units', 'lost_deals')
    group by 1, 2, 3, 4, 5, 7, 8

),

combined as (

    select * from measured
    where metric not in ('area_deal_value', 'lost_deals')

    union all

    select * from derived
    where fact_value is not null or plan_value is not null

),

final as (

    select
        portal_id || ':' || scope || ':' || coalesce(scope_id, '') || ':' || period_type || ':'
            || cast(period_start as {{ dbt.type_string() }}) || ':' || metric || ':' || breakdown || ':'
            || breakdown_value as sales_plan_fulfilment_key,
        portal_id,
        scope,
        scope_id,
        period_type,
        period_start,
        metric,
        breakdown,
        breakdown_value,
        plan_value,
        plan_source,
        fact_value,
        cast(round(100.0 * fact_value / nullif(plan_value, 0), 1) as decimal(10, 1)) as fulfilment_pct
    from combined

)

select * from final
