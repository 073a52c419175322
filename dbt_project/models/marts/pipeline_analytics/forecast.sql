{#
    Sales forecast against actuals, per portal × pipeline × responsible user × close month: the
    open deals expected to close in the month (by their close date, CLOSEDATE) with their amount
    and probability-weighted amount, beside the deals actually won with a close date in the month.
    Probability: the deal's own PROBABILITY when set, else its stage's default
    (dim_stages.stage_probability_pct: k-th of n process stages = k / (n + 1)), as in
    fct_deals.weighted_open_amount_account.
#}
with

deals as (

    select
        portal_id,
        pipeline_id,
        assigned_user_id,
        pipeline_name,
        assigned_user_name,
        stage_semantics,
        is_won,
        amount_account,
        weighted_open_amount_account,
        cast({{ dbt.date_trunc('month', 'close_date') }} as date) as close_month
    from {{ ref('fct_deals') }}
    where not is_deleted
        and not coalesce(is_recurring, false)

),

aggregated as (

    select
        portal_id,
        pipeline_id,
        assigned_user_id,
        pipeline_name,
        assigned_user_name,
        count(case when stage_semantics = 'process' then 1 end) as open_deal_count,
        sum(case when stage_semantics = 'process' then amount_account end) as open_amount_account,
        sum(case when stage_semantics = 'process' then weighted_open_amount_account end)
            as weighted_open_amount_account,
        count(case when is_won then 1 end) as won_deal_count,
        sum(case when is_won then amount_account end) as won_amount_account,
        close_month
    from deals
    where stage_semantics = 'process'
        or is_won
    group by
        portal_id,
        pipeline_id,
        assigned_user_id,
        pipeline_name,
        assigned_user_name,
        close_month

),

final as (

    select
        portal_id
            || ':' || coalesce(cast(pipeline_id as {{ dbt.type_string() }}), '')
            || ':' || coalesce(cast(assigned_user_id as {{ dbt.type_string() }}), '')
            || ':' || coalesce(cast(close_month as {{ dbt.type_string() }}), '') as forecast_key,
        portal_id,
        pipeline_id,
        assigned_user_id,
        pipeline_name,
        assigned_user_name,
        open_deal_count,
        coalesce(open_amount_account, 0) as open_amount_account,
        coalesce(weighted_open_amount_account, 0) as weighted_open_amount_account,
        won_deal_count,
        coalesce(won_amount_account, 0) as won_amount_account,
        close_month
    from aggregated

)

select * from final
