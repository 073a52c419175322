{#
    Telephony per portal × user × day × hour (portal-local): calls, incoming and outgoing, answered,
    missed (incoming 304) and other failures, talk time (total and average per answered call),
    billed minutes and cost. Deleted call records do not count.

    Sums of fct_calls by delta (macros/sums_over_retired_rows.sql): a run adds the calls fct_calls
    wrote since and subtracts those it replaced, and writes again the groups of a user whose name
    or department changed.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='call_stats_key',
        on_schema_change='sync_all_columns',
        post_hook="{{ sums_over_retired_rows_post_hook(ref('fct_calls'), 'call_count') }}",
    )
}}

{{ sums_over_retired_rows(
    ref('fct_calls'),
    grain=[
        ['portal_id', 'portal_id'],
        ['user_id', 'user_id'],
        ['call_date', 'started_date'],
        ['call_hour', 'started_hour'],
    ],
    measures=[
        ['call_count', '1', dbt.type_bigint()],
        ['incoming_count', "case when direction = 'incoming' then 1 else 0 end", dbt.type_bigint()],
        ['outgoing_count', "case when direction = 'outgoing' then 1 else 0 end", dbt.type_bigint()],
        ['answered_count', 'case when is_answered then 1 else 0 end', dbt.type_bigint()],
        ['missed_count', 'case when is_missed then 1 else 0 end', dbt.type_bigint()],
        ['failed_count', 'case when not is_answered and not is_missed then 1 else 0 end', dbt.type_bigint()],
        ['total_duration_seconds', 'coalesce(duration_seconds, 0)', dbt.type_bigint()],
        ['billed_minutes', 'coalesce(billed_minutes, 0)', dbt.type_bigint()],
        ['cost', 'coalesce(cost, 0)', 'decimal(38, 4)'],
    ],
    parts=[{'where': 'not is_deleted'}],
    described_by=user_lookup('user_id', {'user_name': 'user_name', 'department_id': 'department_id',
                                         'department_name': 'department_name'}),
    key_name='call_stats_key',
    key_expression="portal_id || ':' || cast(coalesce(user_id, 0) as " ~ dbt.type_string() ~ ") || ':' || "
                   ~ "cast(call_date as " ~ dbt.type_string() ~ ") || ':' || cast(call_hour as " ~ dbt.type_string() ~ ")",
    derived=[
        ['average_answered_duration_seconds', 'case when answered_count > 0 then cast(round(1.0 * '
            ~ 'total_duration_seconds / answered_count, 1) as decimal(12, 1)) end'],
    ],
) }}
