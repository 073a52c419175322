{#
    Bitrix24's "stage history with supposed rows" (b_crm_deal_stage_history_with_supposed and the
    lead equivalent), rebuilt from the real transitions with the rules of reference §7.1
    (TransitionsCalculator): every real transition gives one real row, and some also give
    supposed rows for the process stages the item is deemed to have passed:

        create in the first process stage   nothing supposed
        create in a later process stage X   process stages before X
        create in a success stage           every process stage
        create in a failure stage           the first process stage
        forward  P → P                      process stages strictly between
        backward P → P                      process stages strictly between
        win      P → S                      process stages after the current one, to the last
        any other move (P → F, S → F, F → S, F → F, reopen S/F → P, pipeline change): nothing

    CLOSE_DATE is one value per item at any moment: the date of the last move from a process stage
    (or creation) into a final stage while the item is in a final stage, else 3000-12-12 — a reopen
    resets it and S/F → S/F moves copy it (§7.1, recipe §7.11). SPENT_TIME is on real rows only:
    the seconds until the next real transition (NULL while the item is still there).

    Incremental: an item's rows are rebuilt whenever int_stage_events_classified rewrote it (a new
    transition, its pipeline's stages or its portal's time zone changed; delete+insert by owner), so
    a scheduled run touches only the items that moved. A post-hook drops the rows of transitions
    that are gone from the raw layer (a deleted deal's history is marked deleted by the extractor's
    reconciliation).
#}
-- depends_on: {{ ref('stg_bitrix24__deal_stage_history') }}
-- depends_on: {{ ref('stg_bitrix24__lead_stage_history') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='owner_scope_key',
        on_schema_change='sync_all_columns',
        post_hook="{{ delete_removed_stage_transitions() }}",
    )
}}

with

{#
    The items to rebuild: int_stage_events_classified rewrites an item whole, stamping its rows with
    the build's start (built_at), so the rows stamped after this table's newest are exactly theirs.
#}
owner_events as (

    select * from {{ ref('int_stage_events_classified') }}
    {% if is_incremental_with_documented_columns() -%}
    where built_at > {{ newest_built_at(this) }}
    {%- endif %}

),

process_stages as (

    select * from {{ ref('int_stages_ordered') }}
    where stage_semantics = 'process'

),

owner_close_dates as (

    select
        portal_id,
        entity_type,
        owner_id,
        case
            when max(case when is_last then stage_semantics end) in ('success', 'failure')
                then max(case when is_closing then entered_date end)
            else cast('3000-12-12' as date)
        end as close_date
    from (
        select
            *,
            event_number = max(event_number) over (partition by portal_id, entity_type, owner_id) as is_last
        from owner_events
    ) as numbered
    group by portal_id, entity_type, owner_id

),

{# the range of process positions each transition fills with supposed rows #}
supposed_ranges as (

    select
        *,
        case
            when transition_type = 'create' and stage_semantics = 'process' then 1
            when transition_type = 'create' and stage_semantics = 'success' then 1
            when transition_type = 'create' and stage_semantics = 'failure' then 1
            when transition_type in ('forward', 'win') then previous_process_position + 1
            when transition_type = 'backward' then process_position + 1
        end as supposed_from,
        case
            when transition_type = 'create' and stage_semantics = 'process' then process_position - 1
            when transition_type = 'create' and stage_semantics = 'success' then process_stage_count
            when transition_type = 'create' and stage_semantics = 'failure' then 1
            when transition_type = 'forward' then process_position - 1
            when transition_type = 'win' then process_stage_count
            when transition_type = 'backward' then previous_process_position - 1
        end as supposed_to
    from owner_events

),

real_rows as (

    select
        portal_id,
        entity_type,
        owner_id,
        event_id,
        pipeline_id,
        stage_id,
        stage_semantics,
        false as is_supposed,
        transition_type,
        entered_at,
        entered_date,
        spent_seconds
    from owner_events

),

supposed_rows as (

    select
        supposed_ranges.portal_id,
        supposed_ranges.entity_type,
        supposed_ranges.owner_id,
        supposed_ranges.event_id,
        supposed_ranges.pipeline_id,
        process_stages.stage_id,
        process_stages.stage_semantics,
        true as is_supposed,
        supposed_ranges.transition_type,
        supposed_ranges.entered_at,
        supposed_ranges.entered_date,
        cast(null as bigint) as spent_seconds
    from supposed_ranges
    inner join process_stages
        on supposed_ranges.portal_id = process_stages.portal_id
        and supposed_ranges.entity_type = process_stages.entity_type
        and coalesce(supposed_ranges.pipeline_id, -1) = coalesce(process_stages.pipeline_id, -1)
        and process_stages.process_position between supposed_ranges.supposed_from and supposed_ranges.supposed_to

),

unioned as (

    select * from real_rows
    union all
    select * from supposed_rows

),

final as (

    select
        {{ scoped_key('unioned.portal_id', 'unioned.entity_type', 'unioned.event_id') }} || ':' || unioned.stage_id
            as stage_entry_key,
        {{ scoped_key('unioned.portal_id', 'unioned.entity_type', 'unioned.owner_id') }} as owner_scope_key,
        unioned.portal_id || ':' || cast(unioned.owner_id as {{ dbt.type_string() }}) as owner_key,
        unioned.portal_id,
        unioned.entity_type,
        unioned.owner_id,
        unioned.event_id,
        unioned.pipeline_id,
        unioned.stage_id,
        {{ stage_key('unioned.portal_id', 'unioned.entity_type', 'unioned.pipeline_id', 'unioned.stage_id') }}
            as stage_key,
        unioned.stage_semantics,
        unioned.is_supposed,
        unioned.transition_type,
        unioned.entered_at,
        unioned.entered_date,
        owner_close_dates.close_date,
        unioned.spent_seconds,
        {{ run_started_timestamp() }} as built_at
    from unioned
    inner join owner_close_dates
        on unioned.portal_id = owner_close_dates.portal_id
        and unioned.entity_type = owner_close_dates.entity_type
        and unioned.owner_id = owner_close_dates.owner_id

)

select * from final
