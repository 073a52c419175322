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

facts as (

    select * from {{ ref('int_business_facts_daily') }}
    where metric in ('leads', 'meetings', 'showings', 'bookings', 'units', 'deal_value')

),

months as (

    select distinct month_start, working_days_in_month from {{ ref('dim_dates') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

{# the manager's and the portal's funnel counts over the twelve months before each planned month #}
trailing_counts as (

    select
        plans.portal_id,
        plans.month_start,
        plans.user_id,
        {% for scope in ['manager', 'portal'] %}
        sum(case when facts.metric = 'leads' {{ "and facts.user_id = plans.user_id" if scope == 'manager' }}
            then facts.fact_value else 0 end) as {{ scope }}_leads,
        sum(case when facts.metric in ('meetings', 'showings') {{ "and facts.user_id = plans.user_id" if scope == 'manager' }}
            then facts.fact_value else 0 end) as {{ scope }}_meetings,
        sum(case when facts.metric = 'bookings' {{ "and facts.user_id = plans.user_id" if scope == 'manager' }}
            then facts.fact_value else 0 end) as {{ scope }}_bookings,
        sum(case when facts.metric = 'units' {{ "and facts.user_id = plans.user_id" if scope == 'manager' }}
            then facts.fact_value else 0 end) as {{ scope }}_won_deals,
        sum(case when facts.metric = 'deal_value' {{ "and facts.user_id = plans.user_id" if scope == 'manager' }}
            then facts.fact_value else 0 end) as {{ scope }}_won_value{{ ',' if not loop.last }}
        {% endfor %}
    from plans
    left join facts
        on plans.portal_id = facts.portal_id
        and facts.fact_date >= cast({{ dbt.dateadd('month', -12, 'plans.month_start') }} as date)
        and facts.fact_date < plans.month_start
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
