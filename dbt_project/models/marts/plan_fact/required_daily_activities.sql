{#
    What a manager must do each working day to make the month's revenue plan (docs/marts.md): the
    deal_value plan, divided by the average won deal, is the deals to win; back through the funnel's
    measured conversion rates — won deals per booking, bookings per meeting (meetings and showings),
    meetings per lead — it gives the bookings, meetings and leads needed, and divided by the month's
    working days, the daily figures. Rates and the average deal are measured over the twelve months
    before the planned month: the manager's own where the manager has the counts, else the portal's
    (rates_source). One row per portal × manager × month with a deal_value plan.
#}
with

plans as (

    select
        portal_id,
        month_start,
        cast(scope_id as {{ dbt.type_bigint() }}) as user_id,
        plan_value as revenue_plan
    from {{ ref('stg_inputs__sales_plans') }}
    where scope = 'manager'
        and metric = 'deal_value'

),

{# monthly counts per manager and per portal: the trailing window joins months, not days #}
manager_months as (

    select
        facts.portal_id,
        facts.user_id,
        calendar.month_start,
        facts.metric,
        sum(facts.fact_value) as fact_value
    from {{ ref('int_business_facts_daily') }} as facts
    inner join {{ ref('dim_dates') }} as calendar
        on facts.fact_date = calendar.date_day
    where facts.metric in ('leads', 'meetings', 'showings', 'bookings', 'units', 'deal_value')
    group by facts.portal_id, facts.user_id, calendar.month_start, facts.metric

),

portal_months as (

    select portal_id, month_start, metric, sum(fact_value) as fact_value
    from manager_months
    group by portal_id, month_start, metric

),

months as (

    select distinct month_start, working_days_in_month from {{ ref('dim_dates') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

{# the manager's and the portal's funnel counts over the twelve months before each planned month #}
trailing_counts as (

    {% set metrics = {'leads': "('leads')", 'meetings': "('meetings', 'showings')", 'bookings': "('bookings')",
                      'won_deals': "('units')", 'won_value': "('deal_value')"} %}
    select
        plans.portal_id,
        plans.month_start,
        plans.user_id,
        {% for name, metric_list in metrics.items() %}
        coalesce(sum(case when manager_months.metric in {{ metric_list }} then manager_months.fact_value end), 0)
            as manager_{{ name }},
        {% endfor %}
        {% for name, metric_list in metrics.items() %}
        coalesce(max(portal_totals.portal_{{ name }}), 0) as portal_{{ name }}{{ ',' if not loop.last }}
        {% endfor %}
    from plans
    left join manager_months
        on plans.portal_id = manager_months.portal_id
        and plans.user_id = manager_months.user_id
        and manager_months.month_start >= cast({{ dbt.dateadd('month', -12, 'plans.month_start') }} as date)
        and manager_months.month_start < plans.month_start
    left join (
        select
            plan_months.portal_id,
            plan_months.month_start,
            {% for name, metric_list in metrics.items() %}
            sum(case when portal_months.metric in {{ metric_list }} then portal_months.fact_value end)
                as portal_{{ name }}{{ ',' if not loop.last }}
            {% endfor %}
        from (select distinct portal_id, month_start from plans) as plan_months
        inner join portal_months
            on plan_months.portal_id = portal_months.portal_id
            and portal_months.month_start >= cast({{ dbt.dateadd('month', -12, 'plan_months.month_start') }} as date)
            and portal_months.month_start < plan_months.month_start
        group by plan_months.portal_id, plan_months.month_start
    ) as portal_totals
        on plans.portal_id = portal_totals.portal_id
        and plans.month_start = portal_totals.month_start
    group by plans.portal_id, plans.month_start, plans.user_id

),

rates as (

    select
        portal_id,
        month_start,
        user_id,
        case when manager_won_deals > 0 and manager_bookings > 0 and manager_meetings > 0 and manager_leads > 0
            then 'manager' else 'portal' end as rates_source,
        case when manager_won_deals > 0 and manager_bookings > 0 and manager_meetings > 0 and manager_leads > 0
            then manager_won_value / manager_won_deals
            else portal_won_value / nullif(portal_won_deals, 0) end as average_deal_value,
        case when manager_won_deals > 0 and manager_bookings > 0 and manager_meetings > 0 and manager_leads > 0
            then manager_won_deals / manager_bookings
            else portal_won_deals / nullif(portal_bookings, 0) end as won_per_booking,
        case when manager_won_deals > 0 and manager_bookings > 0 and manager_meetings > 0 and manager_leads > 0
            then manager_bookings / manager_meetings
            else portal_bookings / nullif(portal_meetings, 0) end as bookings_per_meeting,
        case when manager_won_deals > 0 and manager_bookings > 0 and manager_meetings > 0 and manager_leads > 0
            then manager_meetings / manager_leads
            else portal_meetings / nullif(portal_leads, 0) end as meetings_per_lead
    from trailing_counts

),

needed as (

    select
        plans.portal_id,
        plans.month_start,
        plans.user_id,
        plans.revenue_plan,
        months.working_days_in_month,
        rates.rates_source,
        rates.average_deal_value,
        rates.won_per_booking,
        rates.bookings_per_meeting,
        rates.meetings_per_lead,
        plans.revenue_plan / nullif(rates.average_deal_value, 0) as deals_needed
    from plans
    inner join rates
        on plans.portal_id = rates.portal_id
        and plans.month_start = rates.month_start
        and plans.user_id = rates.user_id
    inner join months
        on plans.month_start = months.month_start

),

chained as (

    select
        *,
        deals_needed / nullif(won_per_booking, 0) as bookings_needed
    from needed

),

chained_meetings as (

    select
        *,
        bookings_needed / nullif(bookings_per_meeting, 0) as meetings_needed
    from chained

),

chained_leads as (

    select
        *,
        meetings_needed / nullif(meetings_per_lead, 0) as leads_needed
    from chained_meetings

),

final as (

    select
        chained_leads.portal_id || ':' || cast(chained_leads.user_id as {{ dbt.type_string() }}) || ':'
            || cast(chained_leads.month_start as {{ dbt.type_string() }}) as required_daily_activities_key,
        chained_leads.portal_id,
        chained_leads.user_id,
        users.user_name,
        users.department_id,
        users.department_name,
        chained_leads.month_start,
        chained_leads.working_days_in_month,
        chained_leads.revenue_plan,
        chained_leads.rates_source,
        cast(round(chained_leads.average_deal_value, 2) as decimal(20, 2)) as average_deal_value,
        cast(round(chained_leads.won_per_booking, 4) as decimal(12, 4)) as won_per_booking,
        cast(round(chained_leads.bookings_per_meeting, 4) as decimal(12, 4)) as bookings_per_meeting,
        cast(round(chained_leads.meetings_per_lead, 4) as decimal(12, 4)) as meetings_per_lead,
        cast(round(chained_leads.deals_needed, 2) as decimal(20, 2)) as deals_needed,
        cast(round(chained_leads.bookings_needed, 2) as decimal(20, 2)) as bookings_needed,
        cast(round(chained_leads.meetings_needed, 2) as decimal(20, 2)) as meetings_needed,
        cast(round(chained_leads.leads_needed, 2) as decimal(20, 2)) as leads_needed,
        cast(round(chained_leads.deals_needed / nullif(chained_leads.working_days_in_month, 0), 2)
            as decimal(20, 2)) as deals_per_working_day,
        cast(round(chained_leads.bookings_needed / nullif(chained_leads.working_days_in_month, 0), 2)
            as decimal(20, 2)) as bookings_per_working_day,
        cast(round(chained_leads.meetings_needed / nullif(chained_leads.working_days_in_month, 0), 2)
            as decimal(20, 2)) as meetings_per_working_day,
        cast(round(chained_leads.leads_needed / nullif(chained_leads.working_days_in_month, 0), 2)
            as decimal(20, 2)) as leads_per_working_day
    from chained_leads
    left join users
        on chained_leads.portal_id = users.portal_id
        and chained_leads.user_id = users.user_id

)

select * from final
