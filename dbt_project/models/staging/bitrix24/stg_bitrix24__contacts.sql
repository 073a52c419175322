with

source as (

    {{ bitrix24_source('contacts') }}

),

renamed as (

    select

        ---------- ids
        {{ bitrix24_key('id') }} as contact_key,
        portal_id,
        id as contact_id,
        {{ bitrix24_nullif_zero('company_id') }} as company_id,
        lead_id,
        assigned_by_id as assigned_user_id,
        created_by_id as created_by_user_id,
        modify_by_id as modified_by_user_id,
        last_activity_by as last_activity_user_id,

        ---------- strings
        honorific,
        name as first_name,
        second_name,
        last_name,
        trim(concat_ws(' ', {{ bitrix24_nullif_blank('name') }}, {{ bitrix24_nullif_blank('last_name') }}))
            as full_name,
        type_id as contact_type_id,
        source_id,
        source_description,
        post as job_title,
        comments,
        address,
        address_2,
        address_city,
        address_postal_code,
        address_region,
        address_province,
        address_country,
        address_country_code,
        originator_id,
        origin_id,
        origin_version,
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
        company_ids,

        ---------- booleans
        has_phone,
        has_email,
        has_imol as has_open_channel,
        export as is_exportable,
        opened as is_open_to_all,

        ---------- custom fields (names from field_metadata)
        {{- bitrix24_custom_field_columns('contact', source('bitrix24', 'contacts')) }}

        ---------- dates
        birthdate as birth_date,

        ---------- timestamps
        date_create as created_at,
        date_modify as modified_at,
        last_activity_time as last_activity_at,

        ---------- load metadata
        {# dlt's load id as text: a build's tests read the loads since they last passed #}
        _dlt_load_id as load_id,
        {# which load brought the row (dlt's load id, a unix timestamp): dim_customers keys on it #}
        cast(_dlt_load_id as decimal(18, 6)) as loaded_at_epoch,
        coalesce(_is_deleted, false) as is_deleted,
        _deleted_at as deleted_at,
        _load_issues as load_issues

    from source

)

select * from renamed
