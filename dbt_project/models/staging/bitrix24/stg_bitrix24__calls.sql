with

source as (

    {{ bitrix24_source('calls') }}

),

renamed as (

    select

        ---------- ids
        {{ bitrix24_key('id') }} as call_key,
        portal_id,
        id as call_id,
        call_id as voximplant_call_id,
        portal_user_id as user_id,
        crm_entity_id,
        crm_activity_id as activity_id,
        session_id,
        rest_app_id,
        record_file_id,
        transcript_id,

        ---------- strings
        case call_type
            when 1 then 'outgoing'
            when 2 then 'incoming'
            when 3 then 'incoming_redirected'
            when 4 then 'callback'
            when 5 then 'informational'
        end as call_type,
        case when call_type = 1 then 'outgoing' else 'incoming' end as direction,
        call_failed_code as status_code,
        {{ bitrix24_nullif_blank('call_failed_reason') }} as failure_reason,
        lower(crm_entity_type) as crm_entity_type,
        call_category,
        phone_number,
        portal_number,
        cost_currency as cost_currency_id,

        ---------- numerics
        call_type as call_type_id,
        call_duration as duration_seconds,
        record_duration as record_duration_seconds,
        call_vote as vote,
        cost,
        redial_attempt,

        ---------- booleans
        call_failed_code = '200' as is_answered,
        call_failed_code = '304' as is_missed,
        transcript_pending as is_transcript_pending,

        ---------- timestamps
        call_start_date as started_at,

        ---------- load metadata
        {# dlt's load id as text: a build's tests read the loads since they last passed #}
        _dlt_load_id as load_id,
        {# which load brought the row (dlt's load id, a unix timestamp): incremental models key on it #}
        cast(_dlt_load_id as decimal(18, 6)) as loaded_at_epoch,
        coalesce(_is_deleted, false) as is_deleted,
        _deleted_at as deleted_at,
        _load_issues as load_issues

    from source

)

select * from renamed
