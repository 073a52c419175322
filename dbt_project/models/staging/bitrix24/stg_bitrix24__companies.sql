with

source as (

    {{ bitrix24_source('companies') }}

),

renamed as (

    select

        ---------- ids
        {{ bitrix24_key('id') }} as company_key,
        portal_id,
        id as company_id,
        lead_id,
        assigned_by_id as assigned_user_id,
        created_by_id as created_by_user_id,
        modify_by_id as modified_by_user_id,
        last_activity_by as last_activity_user_id,

        ---------- strings
        title as company_name,
        company_type as company_type_id,
        industry as industry_id,
        employees as employees_range_id,
        currency_id,
        comments,
        banking_details,
        address,
        address_2,
        address_city,
        address_postal_code,
        address_region,
        address_province,
        address_country,
        address_country_code,
        address_legal as legal_address,
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
        contact_id as contact_ids,

        ---------- numerics
        revenue as annual_revenue,

        ---------- booleans
        is_my_company,
        has_phone,
        has_email,
        has_imol as has_open_channel,
        opened as is_open_to_all,

        ---------- custom fields (names from field_metadata)
        {{- bitrix24_custom_field_columns('company', source('bitrix24', 'companies')) }}

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
