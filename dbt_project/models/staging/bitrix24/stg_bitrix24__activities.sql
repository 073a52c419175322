with

source as (

    {{ bitrix24_source('activities') }}

),

renamed as (

    select

        ---------- ids
        {{ bitrix24_key('id') }} as activity_key,
        portal_id,
        id as activity_id,
        owner_type_id as owner_entity_type_id,
        owner_id,
        type_id as activity_type_id,
        responsible_id as responsible_user_id,
        author_id as author_user_id,
        editor_id as editor_user_id,
        {{ bitrix24_nullif_zero('associated_entity_id') }} as associated_entity_id,

        ---------- strings
        case owner_type_id
            when 1 then 'lead'
            when 2 then 'deal'
            when 3 then 'contact'
            when 4 then 'company'
            when 31 then 'invoice'
        end as owner_entity_type,
        case type_id
            when 1 then 'meeting'
            when 2 then 'call'
            when 3 then 'task'
            when 4 then 'email'
            when 5 then 'calendar_event'
            when 6 then 'provider_activity'
        end as activity_type,
        provider_id,
        provider_type_id,
        case direction
            when 1 then 'incoming'
            when 2 then 'outgoing'
        end as direction,
        case status
            when 1 then 'pending'
            when 2 then 'completed'
            when 3 then 'auto_completed'
        end as activity_status,
        case priority
            when 1 then 'low'
            when 2 then 'medium'
            when 3 then 'high'
        end as priority,
        subject,
        description,
        description_type,
        location,
        origin_id,
        {# telephony activities carry ORIGIN_ID 'VI_<CALL_ID>' (the call's voximplant id) #}
        case
            when substr(origin_id, 1, 3) = 'VI_' then substr(origin_id, 4)
        end as voximplant_call_id,
        bindings,
        communications,

        ---------- numerics
        result_sum as result_amount,
        result_mark,
        result_status,
        result_stream,

        ---------- booleans
        completed as is_completed,
        coalesce(cast(settings ->> 'MISSED_CALL' as boolean), false) as is_missed_call,
        is_incoming_channel,

        ---------- timestamps
        created as created_at,
        last_updated as updated_at,
        start_time as start_at,
        end_time as end_at,
        deadline as deadline_at,

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
