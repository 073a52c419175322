{#
    Lead analytics' "Employee performance" grid (reference §7.4), per standard period: classic mode
    (real entries only), leads counted by their current responsible user; rows for user 0 (none)
    are skipped as in the portal. customer_scope: all, initial (IS_RETURN_CUSTOMER = N) and repeat
    (Y) — the three Lead analysis boards. Totals over users: sum the counts, then divide (the
    portal's total row is ΣF / Σall, not an average of percentages).
#}
with

items as (

    select * from {{ ref('int_funnel_item_sums') }}
    where entity_type = 'lead'
        and funnel_mode = 'classic'
        and assigned_user_id <> 0

),

periods as (

    select * from {{ ref('int_report_periods') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

scopes as (

    select 'all' as customer_scope
    union all
    select 'initial' as customer_scope
    union all
    select 'repeat' as customer_scope

),

scoped as (

    select
        items.*,
        scopes.customer_scope
    from items
    cross join scopes
    where scopes.customer_scope = 'all'
        or (scopes.customer_scope = 'repeat' and items.is_return_customer)
        or (scopes.customer_scope = 'initial' and not items.is_return_customer)

),

aggregated as (

    select
        period_key,
        portal_id,
        assigned_user_id,
        customer_scope,
        cast(sum(item_count) as bigint) as active_lead_count,
        cast(sum(success_count) as bigint) as converted_lead_count,
        cast(sum(failure_count) as bigint) as junk_lead_count
    from scoped
    group by period_key, portal_id, assigned_user_id, customer_scope

),

final as (

    select
        aggregated.portal_id || ':' || aggregated.period_key || ':'
            || cast(aggregated.assigned_user_id as {{ dbt.type_string() }}) || ':' || aggregated.customer_scope
            as lead_employee_performance_key,
        aggregated.portal_id,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.period_label,
        aggregated.assigned_user_id,
        users.user_name as assigned_user_name,
        users.department_name,
        aggregated.customer_scope,
        aggregated.active_lead_count,
        aggregated.converted_lead_count,
        aggregated.junk_lead_count,
        round(100.0 * aggregated.junk_lead_count / aggregated.active_lead_count, 2) as lost_pct,
        round(100.0 * aggregated.converted_lead_count / aggregated.active_lead_count, 2) as conversion_pct
    from aggregated
    inner join periods
        on aggregated.period_key = periods.period_key
    left join users
        on aggregated.portal_id = users.portal_id
        and aggregated.assigned_user_id = users.user_id

)

select * from final
