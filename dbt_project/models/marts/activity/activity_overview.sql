{#
    The activity scales of a manager's day: per portal × responsible user × day × activity type,
    the activities planned for the day (due that day), done that day (completed, held that day) and
    overdue (due that day, not completed, deadline passed at the last extraction) — the "done" and
    "debt" sides of Bitrix24's activity counters. Deleted activities do not count; no responsible user is user 0, no type 'unknown'.
#}
with

{# not materialized: read twice, and DuckDB would first copy every column of the 2 M activities #}
activities as not materialized (

    select * from {{ ref('fct_activities') }}
    where not is_deleted

),

due as (

    select
        portal_id,
        coalesce(responsible_user_id, 0) as responsible_user_id,
        due_date as activity_date,
        coalesce(activity_type, 'unknown') as activity_type,
        count(*) as planned_count,
        cast(sum(case when is_completed then 1 else 0 end) as {{ dbt.type_bigint() }}) as planned_done_count,
        cast(sum(case when is_overdue then 1 else 0 end) as {{ dbt.type_bigint() }}) as overdue_count,
        cast(sum(case when not is_completed and not is_overdue then 1 else 0 end) as {{ dbt.type_bigint() }}) as open_count
    from activities
    group by portal_id, coalesce(responsible_user_id, 0), due_date, coalesce(activity_type, 'unknown')

),

done as (

    select
        portal_id,
        coalesce(responsible_user_id, 0) as responsible_user_id,
        held_date as activity_date,
        coalesce(activity_type, 'unknown') as activity_type,
        count(*) as done_count
    from activities
    where is_completed
    group by portal_id, coalesce(responsible_user_id, 0), held_date, coalesce(activity_type, 'unknown')

),

users as (

    select * from {{ ref('dim_users') }}

),

final as (

    select
        coalesce(due.portal_id, done.portal_id) || ':' || cast(coalesce(due.responsible_user_id, done.responsible_user_id) as {{ dbt.type_string() }})
            || ':' || cast(coalesce(due.activity_date, done.activity_date) as {{ dbt.type_string() }})
            || ':' || coalesce(due.activity_type, done.activity_type) as activity_overview_key,
        coalesce(due.portal_id, done.portal_id) as portal_id,
        coalesce(due.responsible_user_id, done.responsible_user_id) as user_id,
        users.user_name,
        users.department_id,
        users.department_name,
        coalesce(due.activity_date, done.activity_date) as activity_date,
        coalesce(due.activity_type, done.activity_type) as activity_type,
        coalesce(due.planned_count, 0) as planned_count,
        coalesce(due.planned_done_count, 0) as planned_done_count,
        coalesce(due.open_count, 0) as open_count,
        coalesce(due.overdue_count, 0) as overdue_count,
        coalesce(done.done_count, 0) as done_count
    from due
    full outer join done
        on due.portal_id = done.portal_id
        and due.responsible_user_id = done.responsible_user_id
        and due.activity_date = done.activity_date
        and due.activity_type = done.activity_type
    left join users
        on coalesce(due.portal_id, done.portal_id) = users.portal_id
        and coalesce(due.responsible_user_id, done.responsible_user_id) = users.user_id

)

select * from final
