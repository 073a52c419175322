{#
    One row per real stage transition of a deal or lead (crm.stagehistory.list), CRM-agnostic:
    the previous stage, pipeline and semantics, the kind of transition (reference §7.1), the
    portal-local date, and the time spent before the next real transition.

    Incremental: an item is recomputed whole (delete+insert by item) when it has a transition newer
    than the built ones, or when a row of it was built with another stage list of its pipeline or
    another UTC offset of its portal than the current ones (stages reordered, added, removed or
    given other semantics in the portal; the time zone moved, as daylight saving moves it): each row
    keeps the signature of the stage list and the offset it was computed with. The models
    downstream recompute the items this one rewrote (built_at). Transitions removed from the raw
    layer are dropped by the post-hook.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='owner_scope_key',
        on_schema_change='sync_all_columns',
        post_hook="{{ delete_removed_stage_transitions() }}",
    )
}}

{# what classifying a pipeline's transitions reads of its stages: a stage added, removed, moved or given other semantics changes it #}
{%- set stage_lists -%}
    select
        portal_id,
        entity_type,
        pipeline_id,
        {{ dbt.hash("string_agg(stage_id || '|' || coalesce(stage_semantics, '') || '|' || coalesce(cast(process_position as "
            ~ dbt.type_string() ~ "), ''), ',' order by stage_position)") }} as stage_list_signature
    from {{ ref('int_stages_ordered') }}
    group by portal_id, entity_type, pipeline_id
{%- endset %}

{#
    The pipelines whose rows were built with another stage list, or portal UTC offset, than now.
    Asked before the run's query (one scan of the few combinations the built rows hold), which
    recomputes their items only when there are any: with that union in the plan, DuckDB joined the
    7 M transitions to the changed items the wrong way round (1.2 s instead of 0.5 s).
#}
{%- set outdated_pipelines -%}
    select built_with.portal_id, built_with.entity_type, built_with.pipeline_id
    from (
        select distinct portal_id, entity_type, pipeline_id, stage_list_signature, utc_offset_minutes
        from {{ this }}
    ) as built_with
    left join ({{ stage_lists }}) as stage_lists
        on built_with.portal_id = stage_lists.portal_id
        and built_with.entity_type = stage_lists.entity_type
        and coalesce(built_with.pipeline_id, -1) = coalesce(stage_lists.pipeline_id, -1)
    left join {{ ref('stg_bitrix24__portals') }} as portals
        on built_with.portal_id = portals.portal_id
    where built_with.stage_list_signature is distinct from stage_lists.stage_list_signature
        or built_with.utc_offset_minutes <> coalesce(portals.utc_offset_minutes, 0)
{%- endset %}
{#- asked once: each asking reads the built table's columns from the catalogue #}
{%- set incremental = is_incremental_with_documented_columns() %}
{%- set recompute_outdated = execute and incremental
    and run_query(outdated_pipelines).rows | length > 0 %}

with

portals as (

    select * from {{ ref('stg_bitrix24__portals') }}

),

stages as (

    select * from {{ ref('int_stages_ordered') }}

),

history as not materialized (

    select
        'deal' as entity_type,
        portal_id,
        deal_stage_history_id as event_id,
        deal_id as owner_id,
        cast(pipeline_id as bigint) as pipeline_id,
        stage_id,
        stage_semantics as recorded_semantics,
        entered_at
    from {{ ref('stg_bitrix24__deal_stage_history') }}
    where not is_deleted

    union all

    select
        'lead' as entity_type,
        portal_id,
        lead_stage_history_id as event_id,
        lead_id as owner_id,
        cast(null as bigint) as pipeline_id,
        stage_id,
        stage_semantics as recorded_semantics,
        entered_at
    from {{ ref('stg_bitrix24__lead_stage_history') }}
    where not is_deleted

),

pipeline_stage_lists as (

    {{ stage_lists }}

),

{% if incremental %}
{# history IDs only grow: the newest built ID is the watermark of new transitions #}
built as (

    select portal_id, entity_type, max(event_id) as max_event_id
    from {{ this }}
    group by portal_id, entity_type

),

changed_owners as (

    select distinct history.portal_id, history.entity_type, history.owner_id
    from history
    left join built
        on history.portal_id = built.portal_id
        and history.entity_type = built.entity_type
    where built.max_event_id is null
        or history.event_id > built.max_event_id
    {%- if recompute_outdated %}

    union

    select built_rows.portal_id, built_rows.entity_type, built_rows.owner_id
    from {{ this }} as built_rows
    inner join ({{ outdated_pipelines }}) as outdated_pipelines
        on built_rows.portal_id = outdated_pipelines.portal_id
        and built_rows.entity_type = outdated_pipelines.entity_type
        and coalesce(built_rows.pipeline_id, -1) = coalesce(outdated_pipelines.pipeline_id, -1)
    {%- endif %}

),

{# the whole item: its rows depend on all its transitions #}
owner_history as (

    select history.*
    from history
    inner join changed_owners
        on history.portal_id = changed_owners.portal_id
        and history.entity_type = changed_owners.entity_type
        and history.owner_id = changed_owners.owner_id

),
{% else %}
owner_history as (

    select * from history

),
{% endif %}

sequenced as (

    select
        owner_history.*,
        {{ stage_key('owner_history.portal_id', 'owner_history.entity_type', 'owner_history.pipeline_id',
            'owner_history.stage_id') }} as stage_key,
        row_number() over (
            partition by portal_id, entity_type, owner_id order by event_id
        ) as event_number,
        lag(stage_id) over (partition by portal_id, entity_type, owner_id order by event_id) as previous_stage_id,
        lag(pipeline_id) over (partition by portal_id, entity_type, owner_id order by event_id)
            as previous_pipeline_id,
        lag(recorded_semantics) over (partition by portal_id, entity_type, owner_id order by event_id)
            as previous_recorded_semantics,
        lead(entered_at) over (partition by portal_id, entity_type, owner_id order by event_id) as left_at
    from owner_history

),

joined as (

    select
        sequenced.*,
        {# the dictionary is the truth for semantics; the history row's own copy covers deleted stages #}
        coalesce(stages.stage_semantics, sequenced.recorded_semantics) as stage_semantics,
        stages.process_position,
        stages.process_stage_count,
        coalesce(previous_stages.stage_semantics, sequenced.previous_recorded_semantics)
            as previous_stage_semantics,
        previous_stages.process_position as previous_process_position,
        pipeline_stage_lists.stage_list_signature,
        coalesce(portals.utc_offset_minutes, 0) as utc_offset_minutes
    from sequenced
    left join stages
        on sequenced.stage_key = stages.stage_key
    left join stages as previous_stages
        on previous_stages.stage_key = {{ stage_key(
            'sequenced.portal_id', 'sequenced.entity_type', 'sequenced.previous_pipeline_id',
            'sequenced.previous_stage_id') }}
    left join pipeline_stage_lists
        on sequenced.portal_id = pipeline_stage_lists.portal_id
        and sequenced.entity_type = pipeline_stage_lists.entity_type
        and coalesce(sequenced.pipeline_id, -1) = coalesce(pipeline_stage_lists.pipeline_id, -1)
    left join portals
        on sequenced.portal_id = portals.portal_id

),

classified as (

    select
        *,
        case
            when event_number = 1 then 'create'
            when coalesce(pipeline_id, -1) <> coalesce(previous_pipeline_id, -1) then 'pipeline_change'
            when previous_stage_semantics = 'process' and stage_semantics = 'process' then
                case
                    when process_position > previous_process_position then 'forward'
                    when process_position < previous_process_position then 'backward'
                    else 'same_stage'
                end
            when previous_stage_semantics = 'process' and stage_semantics = 'success' then 'win'
            when previous_stage_semantics = 'process' and stage_semantics = 'failure' then 'loss'
            when previous_stage_semantics = 'success' and stage_semantics = 'failure' then 'success_to_failure'
            when previous_stage_semantics = 'failure' and stage_semantics = 'success' then 'failure_to_success'
            when previous_stage_semantics in ('success', 'failure') and stage_semantics = 'process' then 'reopen'
            else 'final_to_final'
        end as transition_type
    from joined

),

final as (

    select
        {{ scoped_key('portal_id', 'entity_type', 'event_id') }} as stage_event_key,
        {{ scoped_key('portal_id', 'entity_type', 'owner_id') }} as owner_scope_key,
        portal_id || ':' || cast(owner_id as {{ dbt.type_string() }}) as owner_key,
        portal_id,
        entity_type,
        event_id,
        owner_id,
        event_number,
        pipeline_id,
        stage_id,
        stage_key,
        stage_semantics,
        process_position,
        process_stage_count,
        previous_pipeline_id,
        previous_stage_id,
        previous_stage_semantics,
        previous_process_position,
        transition_type,
        {# closing moves set the owner's CLOSE_DATE in the "with supposed" table (reference §7.1) #}
        stage_semantics in ('success', 'failure')
            and coalesce(previous_stage_semantics, 'process') = 'process' as is_closing,
        entered_at,
        {{ portal_local_date('entered_at', 'utc_offset_minutes') }} as entered_date,
        left_at,
        {{ dbt.datediff('entered_at', 'left_at', 'second') }} as spent_seconds,
        stage_list_signature,
        utc_offset_minutes,
        {{ run_started_timestamp() }} as built_at
    from classified

)

select * from final
