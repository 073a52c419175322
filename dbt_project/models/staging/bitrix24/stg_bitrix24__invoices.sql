with

source as (

    {{ bitrix24_source('invoices') }}

),

renamed as (

    select

        ---------- ids
        {{ bitrix24_key('id') }} as invoice_key,
        portal_id,
        id as invoice_id,
        category_id as invoice_pipeline_id,
        stage_id,
        previous_stage_id,
        parent_id2 as deal_id,
        parent_id7 as quote_id,
        {{ bitrix24_nullif_zero('company_id') }} as company_id,
        {{ bitrix24_nullif_zero('contact_id') }} as contact_id,
        {{ bitrix24_nullif_zero('mycompany_id') }} as my_company_id,
        assigned_by_id as assigned_user_id,
        created_by as created_by_user_id,
        updated_by as updated_by_user_id,
        moved_by as moved_by_user_id,

        ---------- strings
        title as invoice_title,
        account_number,
        currency_id,
        source_id,
        contact_ids,
        observers as observer_user_ids,

        ---------- numerics
        entity_type_id,
        opportunity as amount,
        tax_value as tax_amount,

        ---------- booleans
        is_manual_opportunity as is_manual_amount,
        opened as is_open_to_all,

        ---------- dates
        begindate as begin_date,
        closedate as close_date,

        ---------- timestamps
        created_time as created_at,
        updated_time as updated_at,
        moved_time as moved_at,

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
