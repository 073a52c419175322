{#
    One row per customer: every company and every contact (a deal's customer is its company, else its contact).

    Incremental by record (macros/incremental_facts.sql, without lookups: every column comes from
    the customer's own raw row): a run rewrites the companies and contacts loaded since the last
    one, and the post-hook drops those that are deleted or the portal's own company.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='customer_key',
        on_schema_change='sync_all_columns',
        post_hook="delete from {{ this }} where customer_key in (
            select {{ scoped_key('portal_id', \"'company'\", 'company_id') }} from {{ ref('stg_bitrix24__companies') }}
            where is_deleted or coalesce(is_my_company, false)
            union all
            select {{ scoped_key('portal_id', \"'contact'\", 'contact_id') }} from {{ ref('stg_bitrix24__contacts') }}
            where is_deleted)",
    )
}}
with

{{ incremental_fact_records('staged_companies', ref('stg_bitrix24__companies'), 'company_key', []) }}

{{ incremental_fact_records('staged_contacts', ref('stg_bitrix24__contacts'), 'contact_key', []) }}

unioned as (

    select
        {{ scoped_key('portal_id', "'company'", 'company_id') }} as customer_key,
        portal_id,
        'company' as customer_type,
        company_id as customer_id,
        company_name as customer_name,
        cast(null as bigint) as company_id,
        assigned_user_id,
        primary_phone,
        primary_email,
        created_at,
        loaded_at_epoch,
        deleted_at
    from staged_companies
    where not is_deleted
        and not coalesce(is_my_company, false)

    union all

    select
        {{ scoped_key('portal_id', "'contact'", 'contact_id') }} as customer_key,
        portal_id,
        'contact' as customer_type,
        contact_id as customer_id,
        coalesce(nullif(full_name, ''), 'Contact ' || cast(contact_id as {{ dbt.type_string() }})) as customer_name,
        company_id,
        assigned_user_id,
        primary_phone,
        primary_email,
        created_at,
        loaded_at_epoch,
        deleted_at
    from staged_contacts
    where not is_deleted

),

final as (

    select
        *,
        {{ run_started_timestamp() }} as built_at
    from unioned

)

select * from final
