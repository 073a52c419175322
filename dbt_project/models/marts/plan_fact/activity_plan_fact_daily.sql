{#
    The daily plan/fact of each manager (docs/marts.md): per portal × manager × day × metric of every
    month that has manager plans. The monthly plan is spread evenly over the month's working days
    (the working calendar: about 22, not a constant); weekends and holidays have no plan but keep
    their facts. Month to date: plan = monthly plan × working days elapsed / working days in the
    month, fact = the facts so far; pace = fact / plan × 100; the projection to month end assumes
    the pace of the working days elapsed: fact / elapsed × working days in the month.
    Managers with facts but no plan in a planned month appear with a NULL plan.
#}
with

plans as (

    select
        portal_id,
        month_start,
        cast(scope_id as {{ dbt.type_bigint() }}) as user_id,
        metric,
        plan_value
    from {{ ref('stg_inputs__sales_plans') }}
    where scope = 'manager'

),

planned_months as (

    select distinct portal_id, month_start from plans

),

{# the daily facts of the planned months only (the others never show): a fraction of all days #}
facts as (

    select
        facts.portal_id,
        facts.user_id,
        calendar.month_start,
        facts.fact_date,
        facts.metric,
        sum(facts.fact_value) as fact_value
    from {{ ref('int_business_facts_daily') }} as facts
    inner join {{ ref('dim_dates') }} as calendar
        on facts.fact_date = calendar.date_day
    inner join planned_months
        on facts.portal_id = planned_months.portal_id
        and calendar.month_start = planned_months.month_start
    group by facts.portal_id, facts.user_id, calendar.month_start, facts.fact_date, facts.metric

),

calendar as (

    select * from {{ ref('dim_dates') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

{# every manager × metric of a planned month that has a plan or a fact #}
manager_metrics as (

    select portal_id, month_start, user_id, metric from plans

    union

    select portal_id, month_start, user_id, metric
    from facts
    where user_id is not null
        and metric not in ('lost_deals', 'area_deal_value')  {# helpers of sales_plan_fulfilment #}

),

daily as (

    select
        manager_metrics.portal_id,
        manager_metrics.user_id,
        manager_metrics.metric,
        calendar.month_start,
        calendar.date_day,
        calendar.is_working_day,
        calendar.working_day_of_month,
        calendar.working_days_elapsed_in_month,
        calendar.working_days_in_month,
        plans.plan_value as monthly_plan,
        coalesce(facts.fact_value, 0) as fact_value
    from manager_metrics
    inner join calendar
        on manager_metrics.month_start = calendar.month_start
    left join plans
        on manager_metrics.portal_id = plans.portal_id
        and manager_metrics.month_start = plans.month_start
        and manager_metrics.user_id = plans.user_id
        and manager_metrics.metric = plans.metric
    left join facts
        on manager_metrics.portal_id = facts.portal_id
        and manager_metrics.user_id = facts.user_id
        and manager_metrics.metric = facts.metric
        and calendar.date_day = facts.fact_date

),

month_to_date as (

    select
        *,
        sum(fact_value) over (
            partition by portal_id, user_id, metric, month_start
            order by date_day
            rows between unbounded preceding and current row
        ) as mtd_fact,
        cast(round(monthly_plan * working_days_elapsed_in_month / nullif(working_days_in_month, 0), 4)
            as decimal(20, 4)) as mtd_plan
    from daily

),

final as (

    select
        month_to_date.portal_id || ':' || cast(month_to_date.user_id as {{ dbt.type_string() }}) || ':'
            || cast(month_to_date.date_day as {{ dbt.type_string() }}) || ':' || month_to_date.metric
            as activity_plan_fact_key,
        month_to_date.portal_id,
        month_to_date.user_id,
        users.user_name,
        users.department_id,
        users.department_name,
        month_to_date.date_day as plan_date,
        month_to_date.month_start,
        month_to_date.is_working_day,
        month_to_date.working_day_of_month,
        month_to_date.working_days_elapsed_in_month,
        month_to_date.working_days_in_month,
        month_to_date.metric,
        month_to_date.monthly_plan,
        case
            when month_to_date.monthly_plan is null then null
            when month_to_date.is_working_day
                then cast(round(month_to_date.monthly_plan / nullif(month_to_date.working_days_in_month, 0), 4) as decimal(20, 4))
            else cast(0 as decimal(20, 4))
        end as daily_plan,
        month_to_date.fact_value,
        month_to_date.mtd_plan,
        month_to_date.mtd_fact,
        cast(round(100.0 * month_to_date.mtd_fact / nullif(month_to_date.mtd_plan, 0), 1) as decimal(10, 1))
            as pace_pct,
        case when month_to_date.working_days_elapsed_in_month > 0 then
            cast(round(month_to_date.mtd_fact * month_to_date.working_days_in_month
                / month_to_date.working_days_elapsed_in_month, 4) as decimal(20, 4))
        end as projected_fact,
        case when month_to_date.working_days_elapsed_in_month > 0 then
            cast(round(100.0 * month_to_date.mtd_fact * month_to_date.working_days_in_month
                / month_to_date.working_days_elapsed_in_month / nullif(month_to_date.monthly_plan, 0), 1)
                as decimal(10, 1))
        end as projected_fulfilment_pct
    from month_to_date
    left join users
        on month_to_date.portal_id = users.portal_id
        and month_to_date.user_id = users.user_id

)

select * from final
