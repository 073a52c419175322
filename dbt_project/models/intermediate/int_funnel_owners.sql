{#
    The deals and leads the funnels count, with the attributes the funnels group by: current
    pipeline and stage, amount in the account currency, responsible user, source, initial/repeat.
    Recurring-deal templates and deleted records are left out (every Bitrix24 analytics handler
    drops them). It reads the facts, which hold every deal and lead already typed and converted.

    Incremental (delete+insert by item): a run compares the records whose fact was written since
    this table's newest row with their rows here and rewrites those whose attributes differ (or
    that are new), stamped with the run's start (built_at); the post-hook drops the items the
    funnels no longer count. The incremental funnel models recompute the items written since their
    own newest row: a deal edited in a field the funnels do not read is not recomputed.
#}
-- depends_on: {{ ref('stg_bitrix24__deals') }}, {{ ref('stg_bitrix24__leads') }}  (the post-hook reads them)
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='owner_scope_key',
        on_schema_change='sync_all_columns',
        post_hook="{{ delete_rows_of_dropped_funnel_owners() }}",
    )
}}
{%- set incremental = is_incremental_with_documented_columns() %}
{%- set attributes = ['entity_type', 'portal_id', 'owner_id', 'owner_key', 'owner_pipeline_id', 'current_stage_id',
                      'amount_account', 'currency_id', 'rate_to_account_currency', 'assigned_user_id', 'source_id',
                      'is_return_customer'] %}
with

deals as (

    select * from {{ ref('fct_deals') }}
    where not is_deleted
        and not coalesce(is_recurring, false)
        {%- if incremental %}
        and built_at > {{ newest_built_at(this) }}
        {%- endif %}

),

leads as (

    select * from {{ ref('fct_leads') }}
    where not is_deleted
        {%- if incremental %}
        and built_at > {{ newest_built_at(this) }}
        {%- endif %}

),

owners as (

    select
        {{ scoped_key('portal_id', "'deal'", 'deal_id') }} as owner_scope_key,
        'deal' as entity_type,
        portal_id,
        deal_id as owner_id,
        deal_key as owner_key,
        pipeline_id as owner_pipeline_id,
        stage_id as current_stage_id,
        amount_account,
        currency_id,
        rate_to_account_currency,
        assigned_user_id,
        source_id,
        coalesce(is_return_customer, false) as is_return_customer
    from deals

    union all

    select
        {{ scoped_key('portal_id', "'lead'", 'lead_id') }} as owner_scope_key,
        'lead' as entity_type,
        portal_id,
        lead_id as owner_id,
        lead_key as owner_key,
        cast(null as bigint) as owner_pipeline_id,
        stage_id as current_stage_id,
        amount_account,
        currency_id,
        rate_to_account_currency,
        assigned_user_id,
        source_id,
        coalesce(is_return_customer, false) as is_return_customer
    from leads

),

final as (

    select owners.*, {{ run_started_timestamp() }} as built_at
    from owners
    {%- if incremental %}
    left join {{ this }} as built
        on owners.owner_scope_key = built.owner_scope_key
    where built.owner_scope_key is null
        {%- for attribute in attributes %}
        or owners.{{ attribute }} is distinct from built.{{ attribute }}
        {%- endfor %}
    {%- endif %}

)

select * from final
