{#
    One row per deal with every dimension resolved and every decoded custom field as a column, so
    any report can be filtered by any field and drilled down to the deals behind it. Recurring-deal
    templates and deleted deals stay in (flagged): Bitrix24's reports drop them, and so do ours.
#}
with

deals as (

    select * from {{ ref('int_deals_enriched') }}

),

stages as (

    select * from {{ ref('dim_stages') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

sources as (

    select * from {{ ref('dim_sources') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

final as (

    select
        deals.*,
        stages.pipeline_name,
        stages.stage_name,
        stages.stage_position,
        deals.stage_semantics = 'success' as is_won,
        deals.stage_semantics = 'failure' as is_lost,
        users.user_name as assigned_user_name,
        users.department_id,
        users.department_name,
        users.is_active as is_assigned_user_active,
        sources.source_name,
        customers.customer_type,
        customers.customer_name,
        coalesce(deals.probability_pct, stages.stage_probability_pct) as forecast_probability_pct,
        case when deals.stage_semantics = 'process' then
            cast(round(deals.amount_account * coalesce(deals.probability_pct, stages.stage_probability_pct) / 100.0, 2)
                as decimal(20, 2))
        end as weighted_open_amount_account
    from deals
    left join stages
        on deals.stage_key = stages.stage_key
    left join users
        on deals.portal_id = users.portal_id
        and deals.assigned_user_id = users.user_id
    left join sources
        on deals.portal_id = sources.portal_id
        and deals.source_id = sources.source_id
    left join customers
        on deals.customer_key = customers.customer_key

)

select * from final
