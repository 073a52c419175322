{#
    The cost to serve of every completed activity, at the rates of business_rules.yml: the rate of
    its activity type, plus, for a call logged on it, the call's billed minutes × the call-minute
    rate. One row per completed, not deleted activity, with the record it serves (deal, or the
    customer for activities on a contact or company), its responsible user and the day it was held.
#}
{# a table: three profitability marts and their tests read it, and as a view each read joined the
   activities with the calls again #}
{{ config(materialized='table') }}
with

activities as (

    select * from {{ ref('fct_activities') }}
    where not is_deleted
        and is_completed

),

calls as (

    select
        portal_id,
        activity_id,
        cast(sum(billed_minutes) as {{ dbt.type_bigint() }}) as billed_minutes
    from {{ ref('fct_calls') }}
    where not is_deleted
        and activity_id is not null
    group by portal_id, activity_id

),

rates as (

    select * from {{ ref('stg_inputs__cost_rates') }}

),

final as (

    select
        activities.activity_key,
        activities.portal_id,
        activities.activity_id,
        activities.activity_type,
        activities.deal_key,
        case activities.owner_entity_type
            when 'contact' then activities.portal_id || ':contact:' || cast(activities.owner_id as {{ dbt.type_string() }})
            when 'company' then activities.portal_id || ':company:' || cast(activities.owner_id as {{ dbt.type_string() }})
        end as customer_key,
        activities.responsible_user_id,
        activities.held_date,
        coalesce(calls.billed_minutes, 0) as billed_minutes,
        coalesce(activity_rates.rate, 0) as activity_cost,
        coalesce(calls.billed_minutes, 0) * coalesce(minute_rates.rate, 0) as call_minutes_cost,
        coalesce(activity_rates.rate, 0) + coalesce(calls.billed_minutes, 0) * coalesce(minute_rates.rate, 0)
            as cost_to_serve
    from activities
    left join calls
        on activities.portal_id = calls.portal_id
        and activities.activity_id = calls.activity_id
    left join rates as activity_rates
        on activity_rates.cost_kind = 'activity'
        and activities.activity_type = activity_rates.activity_type
    left join rates as minute_rates
        on minute_rates.cost_kind = 'call_minute'

)

select * from final
