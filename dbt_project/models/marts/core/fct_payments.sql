{#
    One row per invoice (Bitrix24 smart invoice) with its amount in the account currency and, once
    paid (an invoice stage of success semantics), the payment time: the moment it moved to that
    stage, portal-local day. The plan/fact marts count paid invoices by payment day and by the
    invoice's responsible user; the deal and customer link payments to sales.

    Incremental (macros/incremental_facts.sql): a run rewrites the invoices loaded since the last
    one and the invoices whose stage, user, currency rate or portal time zone has changed.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='invoice_key',
        on_schema_change='sync_all_columns',
    )
}}
with

stages as (

    select * from {{ ref('stg_bitrix24__statuses') }}
    where dictionary_id like 'SMART_INVOICE_STAGE%'

),

currencies as (

    select * from {{ ref('stg_bitrix24__currencies') }}

),

portals as (

    select * from {{ ref('stg_bitrix24__portals') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

{# what the select below looks up, for the incremental runs' comparison #}
{%- set lookups = [
    {'keys': ['portal_id', 'stage_id'], 'columns': ['stage_name', 'stage_semantics'],
     'relation': 'stages',
     'on': 'seen.portal_id = lookup.portal_id and seen.stage_id = lookup.status_id',
     'compare': {'stage_name': 'lookup.status_name', 'stage_semantics': "coalesce(lookup.stage_semantics, 'process')"}},
    {'keys': ['portal_id', 'currency_id'], 'columns': ['amount', 'amount_account'],
     'relation': 'currencies',
     'on': 'seen.portal_id = lookup.portal_id and seen.currency_id = lookup.currency_id',
     'compare': {'amount_account': to_account_currency('seen.amount', 'lookup.rate_to_base')}},
    portal_date_lookup('paid_at', 'paid_date'),
    user_lookup('assigned_user_id', {'assigned_user_name': 'user_name', 'department_id': 'department_id',
                                     'department_name': 'department_name'}),
] %}
{{ incremental_fact_records('invoices', ref('stg_bitrix24__invoices'), 'invoice_key', lookups) }}

final as (

    select
        invoices.invoice_key,
        invoices.portal_id,
        invoices.invoice_id,
        invoices.invoice_title,
        invoices.account_number,
        invoices.stage_id,
        stages.status_name as stage_name,
        coalesce(stages.stage_semantics, 'process') as stage_semantics,
        coalesce(stages.stage_semantics, 'process') = 'success' as is_paid,
        case when invoices.deal_id is not null and invoices.deal_id <> 0
            then invoices.portal_id || ':' || cast(invoices.deal_id as {{ dbt.type_string() }})
        end as deal_key,
        case
            when invoices.company_id is not null
                then invoices.portal_id || ':company:' || cast(invoices.company_id as {{ dbt.type_string() }})
            when invoices.contact_id is not null
                then invoices.portal_id || ':contact:' || cast(invoices.contact_id as {{ dbt.type_string() }})
        end as customer_key,
        invoices.assigned_user_id,
        users.user_name as assigned_user_name,
        users.department_id,
        users.department_name,
        invoices.currency_id,
        invoices.amount,
        {{ to_account_currency('invoices.amount', 'currencies.rate_to_base') }} as amount_account,
        invoices.created_at,
        invoices.close_date as due_date,
        case when coalesce(stages.stage_semantics, 'process') = 'success' then invoices.moved_at end as paid_at,
        case when coalesce(stages.stage_semantics, 'process') = 'success'
            then {{ portal_local_date('invoices.moved_at', 'coalesce(portals.utc_offset_minutes, 0)') }}
        end as paid_date,
        invoices.is_deleted,
        invoices.deleted_at,
        invoices.loaded_at_epoch,
        {{ run_started_timestamp() }} as built_at
    from invoices
    left join stages
        on invoices.portal_id = stages.portal_id
        and invoices.stage_id = stages.status_id
    left join currencies
        on invoices.portal_id = currencies.portal_id
        and invoices.currency_id = currencies.currency_id
    left join portals
        on invoices.portal_id = portals.portal_id
    left join users
        on invoices.portal_id = users.portal_id
        and invoices.assigned_user_id = users.user_id

)

select * from final
