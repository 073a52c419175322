{#
    Why deals are lost: the deals now in a failure stage, counted and summed (account currency)
    per portal × pipeline × lost stage × lost reason × responsible user × source. The reason is
    the portal's "lost reason" custom field (column var('lost_reason_column', 'lost_reason') of
    fct_deals) when the deal has it filled in; otherwise — and on portals without that field — the
    failure stage's own name, since many portals encode the reason in their failure stages.
    reason_source says which of the two a row's reason is.
#}
{%- set lost_reason_column = var('lost_reason_column', 'lost_reason') -%}
{%- set has_lost_reason = false -%}
{%- if execute -%}
    {%- set deal_columns = adapter.get_columns_in_relation(ref('fct_deals')) | map(attribute='name')
        | map('lower') | list -%}
    {%- set has_lost_reason = lost_reason_column | lower in deal_columns -%}
{%- endif %}
with

deals as (

    select
        portal_id,
        pipeline_id,
        pipeline_name,
        stage_id,
        stage_key,
        stage_name,
        assigned_user_id,
        assigned_user_name,
        source_id,
        source_name,
        amount_account,
        {% if has_lost_reason -%}
        nullif(trim(cast({{ lost_reason_column }} as {{ dbt.type_string() }})), '')
        {%- else -%}
        cast(null as {{ dbt.type_string() }})
        {%- endif %} as custom_lost_reason
    from {{ ref('fct_deals') }}
    where stage_semantics = 'failure'
        and not is_deleted
        and not coalesce(is_recurring, false)

),

reasoned as (

    select
        *,
        coalesce(custom_lost_reason, stage_name, stage_id) as lost_reason,
        case when custom_lost_reason is not null then 'custom_field' else 'stage' end as reason_source
    from deals

),

aggregated as (

    select
        portal_id,
        pipeline_id,
        stage_id,
        stage_key,
        assigned_user_id,
        source_id,
        pipeline_name,
        stage_name,
        lost_reason,
        reason_source,
        assigned_user_name,
        source_name,
        count(*) as lost_deal_count,
        sum(amount_account) as lost_amount_account
    from reasoned
    group by
        portal_id,
        pipeline_id,
        stage_id,
        stage_key,
        assigned_user_id,
        source_id,
        pipeline_name,
        stage_name,
        lost_reason,
        reason_source,
        assigned_user_name,
        source_name

),

final as (

    select
        stage_key
            || ':' || coalesce(cast(assigned_user_id as {{ dbt.type_string() }}), '')
            || ':' || coalesce(source_id, '')
            || ':' || reason_source
            || ':' || lost_reason as lost_reason_key,
        portal_id,
        pipeline_id,
        stage_id,
        stage_key,
        assigned_user_id,
        source_id,
        pipeline_name,
        stage_name,
        lost_reason,
        reason_source,
        assigned_user_name,
        source_name,
        lost_deal_count,
        lost_amount_account
    from aggregated

)

select * from final
