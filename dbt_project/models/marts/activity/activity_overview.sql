{#
    The activity scales of a manager's day: per portal × responsible user × day × activity type,
    the activities planned for the day (due that day), done that day (completed, held that day) and
    overdue (due that day, not completed, deadline passed at the last extraction) — the "done" and
    "debt" sides of Bitrix24's activity counters. Deleted activities do not count; no responsible user is user 0, no type 'unknown'.

    Sums of fct_activities by delta (macros/sums_over_retired_rows.sql): an activity counts in two
    groups, planned on its due day and, once completed, done on its held day; a run adds the
    activities fct_activities wrote since and subtracts those it replaced, and writes again the
    groups of a user whose name or department changed.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='activity_overview_key',
        on_schema_change='sync_all_columns',
        post_hook="{{ sums_over_retired_rows_post_hook(ref('fct_activities'), 'planned_count + done_count') }}",
    )
}}

{{ sums_over_retired_rows(
    ref('fct_activities'),
    grain=[
        ['portal_id', 'portal_id'],
        ['user_id', 'coalesce(responsible_user_id, 0)'],
        ['activity_date', 'due_date'],
        ['activity_type', "coalesce(activity_type, 'unknown')"],
    ],
    measures=[
        ['planned_count', '1', dbt.type_bigint()],
        ['planned_done_count', 'case when is_completed then 1 else 0 end', dbt.type_bigint()],
        ['open_count', 'case when not is_completed and not is_overdue then 1 else 0 end', dbt.type_bigint()],
        ['overdue_count', 'case when is_overdue then 1 else 0 end', dbt.type_bigint()],
        ['done_count', '0', dbt.type_bigint()],
    ],
    parts=[
        {'where': 'not is_deleted'},
        {'where': 'not is_deleted and is_completed',
         'grain': {'activity_date': 'held_date'},
         'measures': {'planned_count': '0', 'planned_done_count': '0', 'open_count': '0', 'overdue_count': '0',
                      'done_count': '1'}},
    ],
    described_by=user_lookup('user_id', {'user_name': 'user_name', 'department_id': 'department_id',
                                         'department_name': 'department_name'}),
    key_name='activity_overview_key',
) }}
