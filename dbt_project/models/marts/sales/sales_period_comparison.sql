{#
    "Comparison" (reference §7.7): won amounts (success stages, by CLOSEDATE) of each standard
    period next to the previous period of the same type, bucket by bucket — days of a month,
    months of a quarter or year — so the two lines of the portal's chart sit on one row each.
    bucket_number 1 is the period's first day (month) or first month (quarter, year).
#}
with

deals as (

    {# fct_deals: the built table (int_deals_enriched is a view over the raw layer) #}
    select * from {{ ref('fct_deals') }}
    where not is_deleted
        and not coalesce(is_recurring, false)
        and stage_semantics = 'success'

),

periods as (

    select * from {{ ref('int_report_periods') }}

),

pipelines as (

    select * from {{ ref('dim_pipelines') }}

),

{# the won deals of each period and of its previous one, placed in their bucket #}
placed as (

    select
        periods.period_key,
        deals.portal_id,
        deals.pipeline_id,
        case when deals.close_date >= periods.period_start then 'current' else 'previous' end as side,
        case
            when periods.period_type = 'month' then cast(extract(day from deals.close_date) as integer)
            else {{ dbt.datediff(
                "case when deals.close_date >= periods.period_start then periods.period_start else periods.previous_period_start end",
                dbt.date_trunc('month', 'deals.close_date'), 'month') }} + 1
        end as bucket_number,
        deals.amount_account
    from deals
    inner join periods
        on deals.close_date >= periods.previous_period_start
        and deals.close_date <= periods.period_end

),

aggregated as (

    select
        period_key,
        portal_id,
        pipeline_id,
        bucket_number,
        count(case when side = 'current' then 1 end) as won_deal_count,
        sum(case when side = 'current' then amount_account else 0 end) as won_amount_account,
        count(case when side = 'previous' then 1 end) as previous_won_deal_count,
        sum(case when side = 'previous' then amount_account else 0 end) as previous_won_amount_account
    from placed
    group by period_key, portal_id, pipeline_id, bucket_number

),

final as (

    select
        aggregated.portal_id || ':' || aggregated.period_key || ':' || cast(aggregated.pipeline_id as {{ dbt.type_string() }})
            || ':' || cast(aggregated.bucket_number as {{ dbt.type_string() }}) as sales_period_comparison_key,
        aggregated.portal_id,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.period_label,
        periods.previous_period_start,
        periods.previous_period_end,
        aggregated.pipeline_id,
        pipelines.pipeline_name,
        aggregated.bucket_number,
        aggregated.won_deal_count,
        aggregated.won_amount_account,
        aggregated.previous_won_deal_count,
        aggregated.previous_won_amount_account
    from aggregated
    inner join periods
        on aggregated.period_key = periods.period_key
    left join pipelines
        on aggregated.portal_id = pipelines.portal_id
        and aggregated.pipeline_id = pipelines.pipeline_id

)

select * from final
