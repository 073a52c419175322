{#
    "Sales trends" (crm_sales_dynamic, reference §7.6), per standard period, pipeline, responsible
    user and customer scope (all / initial / repeat by IS_RETURN_CUSTOMER):
      won / lost amount and count   deals in a success / failure stage with CLOSEDATE in the period
      in work                       deals with DATE_CREATE <= end and (CLOSEDATE null or >= start)
      conversion % = won count / in work × 100, losses % = lost count / in work × 100
      dynamics % = (won amount / previous period's won amount − 1) × 100, null when either is 0;
      label: < 0 bad, <= 10 not bad, <= 30 good, > 30 excellent (the grid's thresholds).
    Amounts in the account currency at current rates (the portal's ConvertMoney does the same).
    Recurring templates and deleted deals are left out; the portal's default is pipeline 0.
#}
with

deals as (

    {# fct_deals: the built table (int_deals_enriched is a view over the raw layer) #}
    select * from {{ ref('fct_deals') }}
    where not is_deleted
        and not coalesce(is_recurring, false)
        and coalesce(assigned_user_id, 0) <> 0

),

periods as (

    select * from {{ ref('int_report_periods') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

{# each deal in one scope, initial or repeat; 'all' is their sum (every measure adds up) #}
scoped_deals as (

    select
        deals.*,
        case when coalesce(deals.is_return_customer, false) then 'repeat' else 'initial' end as customer_scope
    from deals

),

{# closed deals summed per close day first, then per period: each deal joined to its ~3 periods otherwise #}
closed_by_day as (

    select
        portal_id,
        pipeline_id,
        assigned_user_id,
        customer_scope,
        close_date,
        stage_semantics,
        count(*) as deal_count,
        sum(amount_account) as amount_account
    from scoped_deals
    where stage_semantics in ('success', 'failure')
    group by portal_id, pipeline_id, assigned_user_id, customer_scope, close_date, stage_semantics

),

closed_by_scope as (

    select
        periods.period_key,
        closed_by_day.portal_id,
        closed_by_day.pipeline_id,
        closed_by_day.assigned_user_id,
        closed_by_day.customer_scope,
        cast(sum(case when closed_by_day.close_date >= periods.period_start and closed_by_day.stage_semantics = 'success'
            then closed_by_day.deal_count else 0 end) as {{ dbt.type_bigint() }}) as won_deal_count,
        sum(case when closed_by_day.close_date >= periods.period_start and closed_by_day.stage_semantics = 'success'
            then closed_by_day.amount_account else 0 end) as won_amount_account,
        cast(sum(case when closed_by_day.close_date >= periods.period_start and closed_by_day.stage_semantics = 'failure'
            then closed_by_day.deal_count else 0 end) as {{ dbt.type_bigint() }}) as lost_deal_count,
        sum(case when closed_by_day.close_date >= periods.period_start and closed_by_day.stage_semantics = 'failure'
            then closed_by_day.amount_account else 0 end) as lost_amount_account,
        sum(case when closed_by_day.close_date < periods.period_start and closed_by_day.stage_semantics = 'success'
            then closed_by_day.amount_account else 0 end) as previous_won_amount_account
    from closed_by_day
    inner join periods
        on closed_by_day.close_date >= periods.previous_period_start
        and closed_by_day.close_date <= periods.period_end
    group by periods.period_key, closed_by_day.portal_id, closed_by_day.pipeline_id, closed_by_day.assigned_user_id,
        closed_by_day.customer_scope

),

closed as (

    select * from closed_by_scope

    union all

    select
        period_key, portal_id, pipeline_id, assigned_user_id, 'all' as customer_scope,
        cast(sum(won_deal_count) as {{ dbt.type_bigint() }}) as won_deal_count,
        sum(won_amount_account) as won_amount_account,
        cast(sum(lost_deal_count) as {{ dbt.type_bigint() }}) as lost_deal_count,
        sum(lost_amount_account) as lost_amount_account,
        sum(previous_won_amount_account) as previous_won_amount_account
    from closed_by_scope
    group by period_key, portal_id, pipeline_id, assigned_user_id

),

in_work_by_scope as (

    select
        periods.period_key,
        scoped_deals.portal_id,
        scoped_deals.pipeline_id,
        scoped_deals.assigned_user_id,
        scoped_deals.customer_scope,
        count(*) as in_work_deal_count
    from scoped_deals
    inner join periods
        on scoped_deals.created_date <= periods.period_end
        and coalesce(scoped_deals.close_date, cast('3000-12-12' as date)) >= periods.period_start
    group by periods.period_key, scoped_deals.portal_id, scoped_deals.pipeline_id, scoped_deals.assigned_user_id,
        scoped_deals.customer_scope

),

in_work as (

    select * from in_work_by_scope

    union all

    select period_key, portal_id, pipeline_id, assigned_user_id, 'all' as customer_scope,
        cast(sum(in_work_deal_count) as {{ dbt.type_bigint() }}) as in_work_deal_count
    from in_work_by_scope
    group by period_key, portal_id, pipeline_id, assigned_user_id

),

grid as (

    select period_key, portal_id, pipeline_id, assigned_user_id, customer_scope from closed
    union
    select period_key, portal_id, pipeline_id, assigned_user_id, customer_scope from in_work

),

joined as (

    select
        grid.*,
        coalesce(closed.won_deal_count, 0) as won_deal_count,
        coalesce(closed.won_amount_account, 0) as won_amount_account,
        coalesce(closed.lost_deal_count, 0) as lost_deal_count,
        coalesce(closed.lost_amount_account, 0) as lost_amount_account,
        coalesce(in_work.in_work_deal_count, 0) as in_work_deal_count,
        coalesce(closed.previous_won_amount_account, 0) as previous_won_amount_account
    from grid
    left join closed
        on grid.period_key = closed.period_key
        and grid.portal_id = closed.portal_id
        and grid.pipeline_id = closed.pipeline_id
        and grid.assigned_user_id = closed.assigned_user_id
        and grid.customer_scope = closed.customer_scope
    left join in_work
        on grid.period_key = in_work.period_key
        and grid.portal_id = in_work.portal_id
        and grid.pipeline_id = in_work.pipeline_id
        and grid.assigned_user_id = in_work.assigned_user_id
        and grid.customer_scope = in_work.customer_scope

),

measured as (

    select
        *,
        case when in_work_deal_count > 0 then round(100.0 * won_deal_count / in_work_deal_count, 2) end
            as conversion_pct,
        case when in_work_deal_count > 0 then round(100.0 * lost_deal_count / in_work_deal_count, 2) end
            as losses_pct,
        case when won_amount_account <> 0 and previous_won_amount_account <> 0 then
            round(100.0 * (won_amount_account / previous_won_amount_account - 1), 2)
        end as dynamics_pct
    from joined

),

final as (

    select
        measured.portal_id || ':' || measured.period_key || ':' || cast(measured.pipeline_id as {{ dbt.type_string() }})
            || ':' || cast(measured.assigned_user_id as {{ dbt.type_string() }}) || ':' || measured.customer_scope
            as sales_trend_key,
        measured.portal_id,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.period_label,
        periods.previous_period_start,
        periods.previous_period_end,
        measured.pipeline_id,
        measured.assigned_user_id,
        users.user_name as assigned_user_name,
        users.department_name,
        measured.customer_scope,
        measured.won_deal_count,
        measured.won_amount_account,
        measured.lost_deal_count,
        measured.lost_amount_account,
        measured.in_work_deal_count,
        measured.conversion_pct,
        measured.losses_pct,
        measured.previous_won_amount_account,
        measured.dynamics_pct,
        case
            when measured.dynamics_pct is null then null
            when measured.dynamics_pct < 0 then 'bad'
            when measured.dynamics_pct <= 10 then 'not bad'
            when measured.dynamics_pct <= 30 then 'good'
            else 'excellent'
        end as dynamics_label
    from measured
    inner join periods
        on measured.period_key = periods.period_key
    left join users
        on measured.portal_id = users.portal_id
        and measured.assigned_user_id = users.user_id

)

select * from final
