{#
    One row per stage of every deal pipeline and of the lead status list, in the portal's order.
    stage_probability_pct is our default for the forecast: success 100, failure 0, the k-th of n
    process stages k / (n + 1) (Bitrix24 has no stage probability in its API; a deal's own
    PROBABILITY, when set, wins in fct_deals).
#}
with

stages as (

    select * from {{ ref('int_stages_ordered') }}

),

pipelines as (

    select * from {{ ref('dim_pipelines') }}

),

final as (

    select
        stages.stage_key,
        stages.portal_id,
        stages.entity_type,
        stages.pipeline_id,
        pipelines.pipeline_name,
        stages.stage_id,
        stages.stage_name,
        stages.stage_semantics,
        stages.sort_order,
        stages.stage_position,
        stages.funnel_position,
        stages.process_position,
        case
            when stages.stage_semantics = 'success' then 100.0
            when stages.stage_semantics = 'failure' then 0.0
            else round(100.0 * stages.process_position / (stages.process_stage_count + 1), 2)
        end as stage_probability_pct
    from stages
    left join pipelines
        on stages.portal_id = pipelines.portal_id
        and stages.pipeline_id = pipelines.pipeline_id

)

select * from final
