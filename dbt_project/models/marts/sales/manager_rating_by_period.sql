{#
    "Individual performance" / manager rating (rating.php, reference §7.9), per standard period and
    pipeline: for each responsible user, the deals in work in the period (DATE_CREATE <= end and
    CLOSEDATE null or >= start) — their count and amount, and of those the won ones (success stage)
    — and the same for the previous period [start − (end − start), start]; the top 25 users by won
    amount.
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

{# the deals in work in the period (current) and in the previous one (previous) #}
in_work as (

    select
        periods.period_key,
        deals.portal_id,
        deals.pipeline_id,
        deals.assigned_user_id,
        deals.stage_semantics,
        deals.amount_account,
        deals.created_date <= periods.period_end
            and coalesce(deals.close_date, cast('3000-12-12' as date)) >= periods.period_start as is_current,
        deals.created_date <= periods.period_start
            and coalesce(deals.close_date, cast('3000-12-12' as date)) >= periods.rating_previous_start
            as is_previous
    from deals
    inner join periods
        on deals.created_date <= periods.period_end
        and coalesce(deals.close_date, cast('3000-12-12' as date)) >= periods.rating_previous_start

),

aggregated as (

    select
        period_key,
        portal_id,
        pipeline_id,
        assigned_user_id,
        count(case when is_current then 1 end) as total_deal_count,
        sum(case when is_current then amount_account else 0 end) as total_amount_account,
        count(case when is_current and stage_semantics = 'success' then 1 end) as won_deal_count,
        sum(case when is_current and stage_semantics = 'success' then amount_account else 0 end)
            as won_amount_account,
        count(case when is_previous then 1 end) as previous_total_deal_count,
        sum(case when is_previous then amount_account else 0 end) as previous_total_amount_account,
        count(case when is_previous and stage_semantics = 'success' then 1 end) as previous_won_deal_count,
        sum(case when is_previous and stage_semantics = 'success' then amount_account else 0 end)
            as previous_won_amount_account
    from in_work
    group by period_key, portal_id, pipeline_id, assigned_user_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by period_key, portal_id, pipeline_id
            order by won_amount_account desc, assigned_user_id
        ) as manager_rank
    from aggregated
    where total_deal_count > 0

),

final as (

    select
        ranked.portal_id || ':' || ranked.period_key || ':' || cast(ranked.pipeline_id as {{ dbt.type_string() }})
            || ':' || cast(ranked.assigned_user_id as {{ dbt.type_string() }}) as manager_rating_key,
        ranked.portal_id,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.period_label,
        ranked.pipeline_id,
        ranked.manager_rank,
        ranked.assigned_user_id,
        users.user_name as assigned_user_name,
        users.department_name,
        ranked.won_deal_count,
        ranked.won_amount_account,
        ranked.total_deal_count,
        ranked.total_amount_account,
        periods.rating_previous_start as previous_period_start,
        periods.period_start as previous_period_end,
        ranked.previous_won_deal_count,
        ranked.previous_won_amount_account,
        ranked.previous_total_deal_count,
        ranked.previous_total_amount_account
    from ranked
    inner join periods
        on ranked.period_key = periods.period_key
    left join users
        on ranked.portal_id = users.portal_id
        and ranked.assigned_user_id = users.user_id
    where ranked.manager_rank <= 25

)

select * from final
