{#
    How long closed deals take: whole days from creation (portal-local created_date) to the deal's
    close date (CLOSEDATE), for the deals now won or lost, per portal × pipeline × outcome ×
    source × responsible user × close month. A close date before the creation date counts as 0
    days; deals without a close date are left out.
#}
with

deals as (

    select
        portal_id,
        pipeline_id,
        pipeline_name,
        assigned_user_id,
        assigned_user_name,
        source_id,
        source_name,
        case when is_won then 'won' else 'lost' end as outcome,
        amount_account,
        created_date,
        close_date
    from {{ ref('fct_deals') }}
    where (is_won or is_lost)
        and not is_deleted
        and not coalesce(is_recurring, false)
        and close_date is not null
        and created_date is not null

),

cycles as (

    select
        *,
        case
            when close_date < created_date then 0
            else {{ dbt.datediff('created_date', 'close_date', 'day') }}
        end as cycle_days,
        cast({{ dbt.date_trunc('month', 'close_date') }} as date) as close_month
    from deals

),

aggregated as (

    select
        portal_id,
        pipeline_id,
        assigned_user_id,
        source_id,
        pipeline_name,
        outcome,
        assigned_user_name,
        source_name,
        count(*) as deal_count,
        sum(amount_account) as amount_account,
        avg(cycle_days) as avg_cycle_days,
        percentile_cont(0.5) within group (order by cycle_days) as median_cycle_days,
        min(cycle_days) as min_cycle_days,
        max(cycle_days) as max_cycle_days,
        close_month
    from cycles
    group by
        portal_id,
        pipeline_id,
        assigned_user_id,
        source_id,
        pipeline_name,
        outcome,
        assigned_user_name,
        source_name,
        close_month

),

final as (

    select
        portal_id
            || ':' || coalesce(cast(pipeline_id as {{ dbt.type_string() }}), '')
            || ':' || outcome
            || ':' || coalesce(source_id, '')
            || ':' || coalesce(cast(assigned_user_id as {{ dbt.type_string() }}), '')
            || ':' || cast(close_month as {{ dbt.type_string() }}) as sales_cycle_key,
        *
    from aggregated

)

select * from final
