with

source as (

    {{ bitrix24_source('leads') }}

),

renamed as (

    select

        ---------- ids
        {{ bitrix24_key('id') }} as lead_key,
        portal_id,
        id as lead_id,
        status_id as stage_id,
        {{ bitrix24_nullif_zero('company_id') }} as company_id,
        {{ bitrix24_nullif_zero('contact_id') }} as contact_id,
        assigned_by_id as assigned_user_id,
        created_by_id as created_by_user_id,
        modify_by_id as modified_by_user_id,
        moved_by_id as moved_by_user_id,
        last_activity_by as last_activity_user_id,

        ---------- strings
        title as lead_title,
        status_semantic_id as stage_semantic_code,
        {{ bitrix24_semantics('status_semantic_id') }} as stage_semantics,
        status_description as stage_description,
        honorific,
        name as first_name,
        second_name,
        last_name,
        company_title,
        post as job_title,
        source_id,
        source_description,
        currency_id,
        comments,
        originator_id,
        origin_id,
        address,
        address_2,
        address_city,
        address_postal_code,
        address_region,
        address_province,
        address_country,
        address_country_code,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        phone -> 0 ->> 'VALUE' as primary_phone,
        email -> 0 ->> 'VALUE' as primary_email,
        phone as phones,
        email as emails,
        web as websites,
        im as messengers,
        contact_ids,

        ---------- numerics
        opportunity as amount,

        ---------- booleans
        is_return_customer,
        is_manual_opportunity as is_manual_amount,
        has_phone,
        has_email,
        has_imol as has_open_channel,
        opened as is_open_to_all,

        ---------- custom fields (names from field_metadata)
        {{- bitrix24_custom_field_columns('lead', source('bitrix24', 'leads')) }}

        ---------- dates
        birthdate as birth_date,

        ---------- timestamps
        date_create as created_at,
        date_modify as modified_at,
        date_closed as closed_at,
        moved_time as moved_at,
        last_activity_time as last_activity_at,

        ---------- load metadata
        {# which load brought the row (dlt's load id, a unix timestamp): incremental models key on it #}
        cast(_dlt_load_id as decimal(18, 6)) as loaded_at_epoch,
        coalesce(_is_deleted, false) as is_deleted,
        _deleted_at as deleted_at,
        _load_issues as load_issues

    from source

)

select * from renamed
