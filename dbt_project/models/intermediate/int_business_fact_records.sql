{#
    Each record's contribution to the plan/fact metrics, one row per record × metric: the rows
    int_business_facts_daily sums (its header lists the facts and their rules). A lead, an
    activity or an invoice gives at most one row; a deal one per business event it reached and one
    per close-date metric it counts towards. Deleted records and recurring-deal templates give none.

    Incremental (delete+insert by record): a run rewrites the records its inputs rewrote since this
    table's newest row — leads, activities, deals and invoices the facts rebuilt (built_at), deals
    whose funnel entries funnel_stage_entries rebuilt, and the invoices of every rewritten deal
    (they carry its pipeline, payment form and sales channel). Every record is rewritten when the
    business rules it was built with changed (rules_signature: the event stages and the deal fields
    mapped). A rewritten record that gives no row now gets one placeholder (metric NULL), so that
    delete+insert still replaces its old rows; the post-hook drops the placeholders. Replaced rows
    are retired (macros/retired_rows.sql): int_business_facts_daily subtracts them.
#}
{%- set event_stages = ref('stg_inputs__business_event_stages') -%}
{%- set rules_signature = none -%}
{%- if execute -%}
    {%- set stage_rows = run_query("select stage_id, business_event from " ~ event_stages ~ " order by 1, 2").rows -%}
    {%- set rules_signature = local_md5(
        stage_rows | map('join', '=') | join(',') ~ '|'
        ~ business_deal_field('payment_form', source('bitrix24', 'deals')) ~ '|'
        ~ business_deal_field('sales_channel', source('bitrix24', 'deals')) ~ '|'
        ~ business_deal_field('area_m2', source('bitrix24', 'deals'))) -%}
{%- endif -%}
{%- set by_record = is_incremental_with_documented_columns() and execute
    and run_query("select count(*) from " ~ this ~ " where rules_signature <> '" ~ rules_signature ~ "'").columns[0].values()[0] == 0 -%}
{# meta.retired_columns: what int_business_facts_daily reads of the rows a run replaces #}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert+retire',
        unique_key='fact_record_key',
        on_schema_change='sync_all_columns',
        meta={'retired_columns': ['portal_id', 'user_id', 'pipeline_id', 'payment_form', 'sales_channel', 'fact_date',
                                    'metric', 'fact_value', 'built_at']},
        post_hook=["{{ reset_retired_rows() }}", "delete from {{ this }} where metric is null"],
    )
}}

with

all_leads as not materialized (

    select * from {{ ref('fct_leads') }}

),

all_activities as not materialized (

    select * from {{ ref('fct_activities') }}

),

all_deals as not materialized (

    select * from {{ ref('fct_deals') }}

),

all_entries as not materialized (

    select * from {{ ref('funnel_stage_entries') }}
    where entity_type = 'deal'

),

all_payments as not materialized (

    select * from {{ ref('fct_payments') }}

),

deal_fields as (

    select * from {{ ref('int_deals_business_fields') }}

),

event_stages as (

    select * from {{ event_stages }}

),

{% if by_record %}
{# the records rewritten upstream since this table's newest row: zone-map scans of built_at #}
rewritten_deals as materialized (

    select deal_key from all_deals where built_at > {{ newest_built_at(this) }}
    union
    select owner_key from all_entries where built_at > {{ newest_built_at(this) }}

),

leads as (

    select * from all_leads where built_at > {{ newest_built_at(this) }}

),

activities as (

    select * from all_activities where built_at > {{ newest_built_at(this) }}

),

deals as (

    select * from all_deals where deal_key in (select deal_key from rewritten_deals)

),

{# an OR with the stamp keeps DuckDB from hashing every entry to probe the few rewritten deals #}
entries as (

    select * from all_entries
    where built_at > {{ newest_built_at(this) }}
        or owner_key in (select deal_key from rewritten_deals)

),

payments as (

    select * from all_payments
    where built_at > {{ newest_built_at(this) }}
        or deal_key in (select deal_key from rewritten_deals)

),
{% else %}
leads as (select * from all_leads),
activities as (select * from all_activities),
deals as (select * from all_deals),
entries as (select * from all_entries),
payments as (select * from all_payments),
{% endif %}

deal_attributes as (

    select
        deals.deal_key,
        deals.portal_id,
        deals.assigned_user_id,
        deals.pipeline_id,
        deals.close_date,
        deals.is_won,
        deals.is_lost,
        deals.amount_account,
        deal_fields.payment_form,
        deal_fields.sales_channel,
        deal_fields.area_m2
    from deals
    left join deal_fields
        on deals.deal_key = deal_fields.deal_key
    where not deals.is_deleted
        and not coalesce(deals.is_recurring, false)

),

{# payments read their deal's attributes whether or not the deal was rewritten #}
payment_deal_attributes as (

    select deals.deal_key, deals.pipeline_id, deal_fields.payment_form, deal_fields.sales_channel
    from all_deals as deals
    left join deal_fields
        on deals.deal_key = deal_fields.deal_key
    where not deals.is_deleted
        and not coalesce(deals.is_recurring, false)
        and deals.deal_key in (select deal_key from payments)

),

first_event_entries as (

    select
        entries.portal_id,
        entries.owner_key,
        event_stages.business_event,
        min(entries.entered_date) as event_date,
        max(entries.assigned_user_id) as assigned_user_id,
        max(entries.owner_pipeline_id) as pipeline_id
    from entries
    inner join event_stages
        on entries.stage_id = event_stages.stage_id
    where not entries.is_supposed
    group by entries.portal_id, entries.owner_key, event_stages.business_event

),

{# the records' rows: key, grain, metric, value #}
fact_rows as (

    select 'lead:' || lead_key as fact_record_key, portal_id, assigned_user_id as user_id,
        cast(null as {{ dbt.type_bigint() }}) as pipeline_id, cast(null as {{ dbt.type_string() }}) as payment_form,
        cast(null as {{ dbt.type_string() }}) as sales_channel, created_date as fact_date, 'leads' as metric,
        cast(1 as decimal(20, 4)) as fact_value
    from leads
    where not is_deleted
        and created_date is not null

    union all

    select 'activity:' || activity_key, portal_id, responsible_user_id, null, null, null, held_date,
        activity_kind || 's', 1
    from activities
    where not is_deleted
        and is_completed
        and activity_kind is not null
        and held_date is not null

    union all

    select 'deal:' || first_event_entries.owner_key, first_event_entries.portal_id, first_event_entries.assigned_user_id,
        first_event_entries.pipeline_id, deal_attributes.payment_form, deal_attributes.sales_channel,
        first_event_entries.event_date,
        case first_event_entries.business_event when 'payment' then 'payment_deals'
            else first_event_entries.business_event || 's' end,
        1
    from first_event_entries
    left join deal_attributes
        on first_event_entries.owner_key = deal_attributes.deal_key
    where first_event_entries.event_date is not null

    union all

    {#- each close-date metric of a won or lost deal: its value, where the deal counts towards it #}
    {%- for metric, value, counts in [
        ('units', '1', 'is_won'),
        ('deal_value', 'amount_account', 'is_won'),
        ('area_m2', 'area_m2', 'is_won and area_m2 is not null'),
        ('area_deal_value', 'amount_account', 'is_won and area_m2 is not null'),
        ('lost_deals', '1', 'is_lost'),
    ] %}

    select 'deal:' || deal_key, portal_id, assigned_user_id, pipeline_id, payment_form, sales_channel, close_date,
        '{{ metric }}', cast({{ value }} as decimal(20, 4))
    from deal_attributes
    where close_date is not null
        and {{ counts }}

    union all
    {%- endfor %}

    select 'payment:' || payments.invoice_key, payments.portal_id, payments.assigned_user_id,
        payment_deal_attributes.pipeline_id, payment_deal_attributes.payment_form, payment_deal_attributes.sales_channel,
        payments.paid_date, 'payments', cast(payments.amount_account as decimal(20, 4))
    from payments
    left join payment_deal_attributes
        on payments.deal_key = payment_deal_attributes.deal_key
    where not payments.is_deleted
        and payments.is_paid
        and payments.paid_date is not null

),

{% if is_incremental() %}
{#
    one placeholder per rewritten record (every built record when all are rewritten), so that
    delete+insert replaces its old rows even when it has none now
#}
placeholders as (
    {%- if by_record %}

    select 'lead:' || lead_key as fact_record_key, portal_id from leads
    union all
    select 'activity:' || activity_key, portal_id from activities
    union all
    select 'deal:' || deal_key, portal_id from rewritten_deals inner join all_deals using (deal_key)
    union all
    select 'payment:' || invoice_key, portal_id from payments
    {%- else %}

    select distinct fact_record_key, portal_id from {{ this }}
    {%- endif %}

),

rows_and_placeholders as (

    select * from fact_rows

    union all

    select fact_record_key, portal_id, null, null, null, null, null, null, null
    from placeholders

),
{% else %}
rows_and_placeholders as (

    select * from fact_rows

),
{% endif %}

final as (

    select
        *,
        '{{ rules_signature }}' as rules_signature,
        {{ run_started_timestamp() }} as built_at
    from rows_and_placeholders

)

select * from final
