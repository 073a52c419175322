with

source as (

    {{ bitrix24_source('deals') }}

),

renamed as (

    select

        ---------- ids
        {{ bitrix24_key('id') }} as deal_key,
        portal_id,
        id as deal_id,
        cast(category_id as bigint) as pipeline_id,
        stage_id,
        lead_id,
        {{ bitrix24_nullif_zero('company_id') }} as company_id,
        {{ bitrix24_nullif_zero('contact_id') }} as contact_id,
        quote_id,
        assigned_by_id as assigned_user_id,
        created_by_id as created_by_user_id,
        modify_by_id as modified_by_user_id,
        moved_by_id as moved_by_user_id,
        last_activity_by as last_activity_user_id,

        ---------- strings
        title as deal_title,
        type_id as deal_type_id,
        stage_semantic_id as stage_semantic_code,
        {{ bitrix24_semantics('stage_semantic_id') }} as stage_semantics,
        currency_id,
        source_id,
        source_description,
        comments,
        additional_info,
        location_id,
        originator_id,
        origin_id,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        contact_ids,

        ---------- numerics
        opportunity as amount,
        tax_value as tax_amount,
        probability as probability_pct,

        ---------- booleans
        closed as is_closed,
        is_new,
        is_recurring,
        is_return_customer,
        is_repeated_approach,
        is_manual_opportunity as is_manual_amount,
        opened as is_open_to_all,

        ---------- custom fields (names from field_metadata)
        {{- bitrix24_custom_field_columns('deal', source('bitrix24', 'deals')) }}

        ---------- dates
        begindate as begin_date,
        closedate as close_date,

        ---------- timestamps
        date_create as created_at,
        date_modify as modified_at,
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
