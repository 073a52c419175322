{#
    The "Employee performance" grid of the Sales funnel boards (reference §7.5), per standard
    period, deal pipeline and mode (classic / conversion, as the board): leads, deals, deals lost,
    deal amount, deals won and their amount, conversion = won / deals × 100. Items are counted by
    their current responsible user (rows for user 0 skipped). Leads have no pipeline: a user's lead
    count is the same on each pipeline's rows. Totals: sum the counts, then divide.
#}
with

{# the funnels' item counts per user (int_funnel_item_periods summed) #}
items as (

    select * from {{ ref('int_funnel_item_sums') }}
    where assigned_user_id <> 0

),

periods as (

    select * from {{ ref('int_report_periods') }}

),

pipelines as (

    select * from {{ ref('dim_pipelines') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

deal_figures as (

    select
        period_key,
        funnel_mode,
        portal_id,
        owner_pipeline_id as pipeline_id,
        assigned_user_id,
        cast(sum(item_count) as bigint) as deal_count,
        cast(sum(failure_count) as bigint) as lost_deal_count,
        sum(amount_account) as deal_amount_account,
        cast(sum(success_count) as bigint) as won_deal_count,
        sum(success_amount_account) as won_amount_account
    from items
    where entity_type = 'deal'
    group by period_key, funnel_mode, portal_id, owner_pipeline_id, assigned_user_id

),

lead_figures as (

    select
        period_key,
        funnel_mode,
        portal_id,
        assigned_user_id,
        cast(sum(item_count) as bigint) as lead_count
    from items
    where entity_type = 'lead'
    group by period_key, funnel_mode, portal_id, assigned_user_id

),

grid as (

    select period_key, funnel_mode, portal_id, pipeline_id, assigned_user_id
    from deal_figures

    union

    select lead_figures.period_key, lead_figures.funnel_mode, lead_figures.portal_id, pipelines.pipeline_id,
        lead_figures.assigned_user_id
    from lead_figures
    inner join pipelines
        on lead_figures.portal_id = pipelines.portal_id

),

final as (

    select
        grid.portal_id || ':' || grid.period_key || ':' || cast(grid.pipeline_id as {{ dbt.type_string() }}) || ':'
            || grid.funnel_mode || ':' || cast(grid.assigned_user_id as {{ dbt.type_string() }})
            as sales_employee_performance_key,
        grid.portal_id,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.period_label,
        grid.pipeline_id,
        grid.funnel_mode,
        grid.assigned_user_id,
        users.user_name as assigned_user_name,
        users.department_name,
        coalesce(lead_figures.lead_count, 0) as lead_count,
        coalesce(deal_figures.deal_count, 0) as deal_count,
        coalesce(deal_figures.lost_deal_count, 0) as lost_deal_count,
        coalesce(deal_figures.deal_amount_account, 0) as deal_amount_account,
        coalesce(deal_figures.won_deal_count, 0) as won_deal_count,
        coalesce(deal_figures.won_amount_account, 0) as won_amount_account,
        case when deal_figures.deal_count > 0 then
            round(100.0 * deal_figures.won_deal_count / deal_figures.deal_count, 2)
        end as conversion_pct
    from grid
    inner join periods
        on grid.period_key = periods.period_key
    left join deal_figures
        on grid.period_key = deal_figures.period_key
        and grid.funnel_mode = deal_figures.funnel_mode
        and grid.portal_id = deal_figures.portal_id
        and grid.pipeline_id = deal_figures.pipeline_id
        and grid.assigned_user_id = deal_figures.assigned_user_id
    left join lead_figures
        on grid.period_key = lead_figures.period_key
        and grid.funnel_mode = lead_figures.funnel_mode
        and grid.portal_id = lead_figures.portal_id
        and grid.assigned_user_id = lead_figures.assigned_user_id
    left join users
        on grid.portal_id = users.portal_id
        and grid.assigned_user_id = users.user_id

)

select * from final
