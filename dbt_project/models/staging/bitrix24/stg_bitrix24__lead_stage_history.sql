with

source as (

    {{ bitrix24_source('lead_stage_history') }}

),

renamed as (

    select

        ---------- ids
        {{ bitrix24_key('id') }} as lead_stage_history_key,
        portal_id,
        id as lead_stage_history_id,
        owner_id as lead_id,
        status_id as stage_id,

        ---------- strings
        status_semantic_id as stage_semantic_code,
        {{ bitrix24_semantics('status_semantic_id') }} as stage_semantics,
        case type_id
            when 1 then 'creation'
            when 2 then 'modification'
            when 3 then 'finalization'
            when 5 then 'pipeline_change'
        end as history_type,

        ---------- numerics
        type_id as history_type_id,

        ---------- timestamps
        created_time as entered_at,

        ---------- load metadata
        {# dlt's load id as text: a build's tests read the loads since they last passed #}
        _dlt_load_id as load_id,
        coalesce(_is_deleted, false) as is_deleted,
        _deleted_at as deleted_at,
        _load_issues as load_issues

    from source

)

select * from renamed
