{#
    The column funnel of Bitrix24's CRM Analytics for every standard period (reference §7.3), for
    deals (per pipeline) or leads, in both modes:
      classic     real entries only (IS_SUPPOSED = 'N'), "Sales funnel" / lead analytics;
      conversion  real and supposed entries, "Sales funnel (with conversions)".
    Per stage: COUNT(DISTINCT item), SUM of the items' amounts, average seconds in stage
    (SUM of per-item MAX(spent) / number of items with a real entry and a time; non-final stages
    only, as the portal shows it) and conversion % = stage count / funnel total × 100, rounded to 2.
    The funnel total is the number of distinct items in the period (and their amount). Every stage
    of the pipeline is present, with 0 where no item entered it. A deal counts in the funnel of its
    current pipeline; its entries in another pipeline's stages count in that funnel's total but
    have no column there (the portal maps columns from the chosen pipeline's stage list).
#}
{% macro funnel_by_period(entity_type) %}

with

periods as (

    select * from {{ ref('int_report_periods') }}

),

stages as (

    select * from {{ ref('dim_stages') }}
    where entity_type = '{{ entity_type }}'

),

modes as (

    select 'classic' as funnel_mode
    union all
    select 'conversion' as funnel_mode

),

{# per stage, both modes (summed from int_funnel_stage_periods) #}
stage_figures as (

    select * from {{ ref('int_funnel_stage_sums') }}
    where entity_type = '{{ entity_type }}'

),

by_stage as (

    select
        period_key, portal_id, owner_pipeline_id, 'conversion' as funnel_mode, stage_key,
        conversion_count as item_count, conversion_amount as amount_account, spent_seconds_sum, spent_item_count
    from stage_figures

    union all

    select
        period_key, portal_id, owner_pipeline_id, 'classic' as funnel_mode, stage_key,
        classic_count as item_count, classic_amount as amount_account, spent_seconds_sum, spent_item_count
    from stage_figures
    where classic_count > 0

),

{# the funnel total: the distinct items counted in the period, and their amount #}
totals as (

    select
        period_key,
        portal_id,
        owner_pipeline_id,
        funnel_mode,
        cast(sum(item_count) as bigint) as total_item_count,
        sum(amount_account) as total_amount_account
    from {{ ref('int_funnel_item_sums') }}
    where entity_type = '{{ entity_type }}'
    group by period_key, portal_id, owner_pipeline_id, funnel_mode

),

{# every stage of the pipeline in every period, with 0 where nothing entered it #}
grid as (

    select
        periods.period_key,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.period_label,
        stages.portal_id,
        stages.pipeline_id,
        stages.pipeline_name,
        modes.funnel_mode,
        stages.stage_key,
        stages.stage_id,
        stages.stage_name,
        stages.stage_semantics,
        stages.funnel_position
    from periods
    cross join stages
    cross join modes

),

final as (

    select
        grid.portal_id || ':' || grid.period_key || ':' || coalesce(cast(grid.pipeline_id as {{ dbt.type_string() }}), '')
            || ':' || grid.funnel_mode || ':' || grid.stage_id as {{ entity_type }}_funnel_key,
        grid.portal_id,
        grid.period_type,
        grid.period_start,
        grid.period_end,
        grid.period_label,
        {%- if entity_type == 'deal' %}
        grid.pipeline_id,
        grid.pipeline_name,
        {%- endif %}
        grid.funnel_mode,
        grid.stage_id,
        grid.stage_name,
        grid.stage_semantics,
        grid.funnel_position,
        coalesce(by_stage.item_count, 0) as {{ entity_type }}_count,
        coalesce(by_stage.amount_account, 0) as amount_account,
        case when grid.stage_semantics = 'process' and by_stage.spent_item_count > 0 then
            cast(round(cast(by_stage.spent_seconds_sum as numeric) / by_stage.spent_item_count, 0) as bigint)
        end as average_spent_seconds,
        coalesce(totals.total_item_count, 0) as total_{{ entity_type }}_count,
        coalesce(totals.total_amount_account, 0) as total_amount_account,
        case when totals.total_item_count > 0 then
            round(100.0 * coalesce(by_stage.item_count, 0) / totals.total_item_count, 2)
        end as conversion_pct
    from grid
    left join by_stage
        on grid.period_key = by_stage.period_key
        and grid.portal_id = by_stage.portal_id
        and grid.funnel_mode = by_stage.funnel_mode
        and grid.stage_key = by_stage.stage_key
        {%- if entity_type == 'deal' %}
        and grid.pipeline_id = by_stage.owner_pipeline_id
        {%- endif %}
    left join totals
        on grid.period_key = totals.period_key
        and grid.portal_id = totals.portal_id
        and grid.funnel_mode = totals.funnel_mode
        {%- if entity_type == 'deal' %}
        and grid.pipeline_id = totals.owner_pipeline_id
        {%- endif %}

)

select * from final

{% endmacro %}
