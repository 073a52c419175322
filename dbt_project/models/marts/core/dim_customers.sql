{# One row per customer: every company and every contact (a deal's customer is its company, else its contact). #}
with

companies as (

    select * from {{ ref('stg_bitrix24__companies') }}
    where not is_deleted

),

contacts as (

    select * from {{ ref('stg_bitrix24__contacts') }}
    where not is_deleted

),

unioned as (

    select
        portal_id || ':company:' || cast(company_id as {{ dbt.type_string() }}) as customer_key,
        portal_id,
        'company' as customer_type,
        company_id as customer_id,
        company_name as customer_name,
        cast(null as bigint) as company_id,
        assigned_user_id,
        primary_phone,
        primary_email,
        created_at
    from companies
    where not coalesce(is_my_company, false)

    union all

    select
        portal_id || ':contact:' || cast(contact_id as {{ dbt.type_string() }}) as customer_key,
        portal_id,
        'contact' as customer_type,
        contact_id as customer_id,
        coalesce(nullif(full_name, ''), 'Contact ' || cast(contact_id as {{ dbt.type_string() }})) as customer_name,
        company_id,
        assigned_user_id,
        primary_phone,
        primary_email,
        created_at
    from contacts

)

select * from unioned
