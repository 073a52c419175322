{#
    Telephony per portal × user × day × hour (portal-local): calls, incoming and outgoing, answered,
    missed (incoming 304) and other failures, talk time (total and average per answered call),
    billed minutes and cost. Deleted call records do not count.
#}
with

calls as (

    select * from {{ ref('fct_calls') }}
    where not is_deleted

),

users as (

    select * from {{ ref('dim_users') }}

),

hourly as (

    select
        portal_id,
        user_id,
        started_date,
        started_hour,
        count(*) as call_count,
        cast(sum(case when direction = 'incoming' then 1 else 0 end) as {{ dbt.type_bigint() }}) as incoming_count,
        cast(sum(case when direction = 'outgoing' then 1 else 0 end) as {{ dbt.type_bigint() }}) as outgoing_count,
        cast(sum(case when is_answered then 1 else 0 end) as {{ dbt.type_bigint() }}) as answered_count,
        cast(sum(case when is_missed then 1 else 0 end) as {{ dbt.type_bigint() }}) as missed_count,
        cast(sum(case when not is_answered and not is_missed then 1 else 0 end) as {{ dbt.type_bigint() }}) as failed_count,
        cast(sum(coalesce(duration_seconds, 0)) as {{ dbt.type_bigint() }}) as total_duration_seconds,
        cast(sum(billed_minutes) as {{ dbt.type_bigint() }}) as billed_minutes,
        sum(cost) as cost
    from calls
    group by portal_id, user_id, started_date, started_hour

),

final as (

    select
        hourly.portal_id || ':' || cast(coalesce(hourly.user_id, 0) as {{ dbt.type_string() }})
            || ':' || cast(hourly.started_date as {{ dbt.type_string() }})
            || ':' || cast(hourly.started_hour as {{ dbt.type_string() }}) as call_stats_key,
        hourly.portal_id,
        hourly.user_id,
        users.user_name,
        users.department_id,
        users.department_name,
        hourly.started_date as call_date,
        hourly.started_hour as call_hour,
        hourly.call_count,
        hourly.incoming_count,
        hourly.outgoing_count,
        hourly.answered_count,
        hourly.missed_count,
        hourly.failed_count,
        hourly.total_duration_seconds,
        case when hourly.answered_count > 0
            then cast(round(1.0 * hourly.total_duration_seconds / hourly.answered_count, 1) as decimal(12, 1))
        end as average_answered_duration_seconds,
        hourly.billed_minutes,
        hourly.cost
    from hourly
    left join users
        on hourly.portal_id = users.portal_id
        and hourly.user_id = users.user_id

)

select * from final
