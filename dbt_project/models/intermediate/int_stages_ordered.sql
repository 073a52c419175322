{#
    Deal and lead stages of every pipeline in the order the portal shows them (SORT), with each
    process stage's position among the process stages: the supposed-rows rules of reference §7.1
    are ranges over that position.
#}
with

statuses as (

    select * from {{ ref('stg_bitrix24__statuses') }}
    where stage_entity_type in ('deal', 'lead')
        and not is_deleted

),

ordered as (

    select
        portal_id,
        stage_entity_type as entity_type,
        case when stage_entity_type = 'deal' then pipeline_id end as pipeline_id,
        status_id as stage_id,
        status_name as stage_name,
        stage_semantics,
        sort_order,
        row_number() over (
            partition by portal_id, stage_entity_type, pipeline_id
            order by sort_order, status_row_id
        ) as stage_position,
        {# count(), not sum(): DuckDB sums integers into 128-bit ints, slow to read back from a table #}
        case when stage_semantics = 'process' then
            count(case when stage_semantics = 'process' then 1 end) over (
                partition by portal_id, stage_entity_type, pipeline_id
                order by sort_order, status_row_id
                rows between unbounded preceding and current row
            )
        end as process_position,
        count(case when stage_semantics = 'process' then 1 end) over (
            partition by portal_id, stage_entity_type, pipeline_id
        ) as process_stage_count
    from statuses

),

final as (

    select
        {{ stage_key('portal_id', 'entity_type', 'pipeline_id', 'stage_id') }} as stage_key,
        portal_id,
        entity_type,
        pipeline_id,
        stage_id,
        stage_name,
        stage_semantics,
        sort_order,
        stage_position,
        process_position,
        process_stage_count,
        {# the lead funnel shows CONVERTED (success) last, after the junk statuses (reference §7.3) #}
        row_number() over (
            partition by portal_id, entity_type, pipeline_id
            order by
                case when entity_type = 'lead' and stage_semantics = 'success' then 1 else 0 end,
                stage_position
        ) as funnel_position
    from ordered

)

select * from final
