{#
    The "Sales funnel" boards (reference §7.5): three series side by side — the lead funnel, the
    deal funnel without its success column, and won deals — per standard period, pipeline and
    mode (classic = "Sales funnel", conversion = "Sales funnel (with conversions)"). Each series has
    its own total; leads and deals are not joined through LEAD_ID. As in the portal's code, only
    the literal stage id WON is hidden from the deal series: in other pipelines (C1:WON) the success
    column stays (a Bitrix24 quirk, reproduced). Lead rows have no pipeline.
#}
with

lead_funnel as (

    select * from {{ ref('lead_funnel_by_period') }}

),

deal_funnel as (

    select * from {{ ref('deal_funnel_by_period') }}

),

unioned as (

    select
        portal_id,
        period_type,
        period_start,
        period_end,
        period_label,
        cast(null as bigint) as pipeline_id,
        cast(null as {{ dbt.type_string() }}) as pipeline_name,
        funnel_mode,
        'leads' as series,
        stage_id,
        stage_name,
        stage_semantics,
        funnel_position,
        lead_count as item_count,
        amount_account,
        total_lead_count as total_item_count,
        conversion_pct
    from lead_funnel

    union all

    select
        portal_id,
        period_type,
        period_start,
        period_end,
        period_label,
        pipeline_id,
        pipeline_name,
        funnel_mode,
        'deals' as series,
        stage_id,
        stage_name,
        stage_semantics,
        funnel_position,
        deal_count as item_count,
        amount_account,
        total_deal_count as total_item_count,
        conversion_pct
    from deal_funnel
    where stage_id <> 'WON'

    union all

    select
        portal_id,
        period_type,
        period_start,
        period_end,
        period_label,
        pipeline_id,
        pipeline_name,
        funnel_mode,
        'won_deals' as series,
        stage_id,
        stage_name,
        stage_semantics,
        funnel_position,
        deal_count as item_count,
        amount_account,
        total_deal_count as total_item_count,
        conversion_pct
    from deal_funnel
    where stage_semantics = 'success'

),

final as (

    select
        portal_id || ':' || period_type || ':' || cast(period_start as {{ dbt.type_string() }}) || ':'
            || coalesce(cast(pipeline_id as {{ dbt.type_string() }}), '') || ':' || funnel_mode || ':' || series
            || ':' || stage_id as sales_funnel_key,
        *
    from unioned

)

select * from final
