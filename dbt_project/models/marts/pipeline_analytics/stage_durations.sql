{#
    How long deals and leads stay in each stage: count, total, average and median of the time
    spent, per portal × entity type × pipeline × stage × responsible user, plus one "all users" row
    per stage (is_all_users). Only real stays that have ended count (is_supposed = false and
    spent_seconds known): the rows Bitrix24 averages "time in stage" over (reference §7.3), but
    with a median too, which long-forgotten items do not drag up.
#}
with

stage_entries as (

    select
        portal_id,
        entity_type,
        pipeline_id,
        stage_id,
        stage_key,
        stage_semantics,
        assigned_user_id,
        spent_seconds
    from {{ ref('funnel_stage_entries') }}
    where not is_supposed
        and spent_seconds is not null

),

stages as (

    select * from {{ ref('dim_stages') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

{# one pass: the per-user rows and the all-users row of every stage #}
aggregated as (

    select
        portal_id,
        entity_type,
        pipeline_id,
        stage_id,
        stage_key,
        stage_semantics,
        assigned_user_id,
        grouping(assigned_user_id) = 1 as is_all_users,
        count(*) as stay_count,
        cast(sum(spent_seconds) as {{ dbt.type_bigint() }}) as total_spent_seconds,
        avg(spent_seconds) as avg_spent_seconds,
        percentile_cont(0.5) within group (order by spent_seconds) as median_spent_seconds
    from stage_entries
    group by grouping sets (
        (portal_id, entity_type, pipeline_id, stage_id, stage_key, stage_semantics, assigned_user_id),
        (portal_id, entity_type, pipeline_id, stage_id, stage_key, stage_semantics)
    )

),

final as (

    select
        aggregated.stage_key || ':' || case
            when aggregated.is_all_users then 'all'
            else coalesce(cast(aggregated.assigned_user_id as {{ dbt.type_string() }}), 'none')
        end as stage_duration_key,
        aggregated.portal_id,
        aggregated.entity_type,
        aggregated.pipeline_id,
        aggregated.stage_id,
        aggregated.stage_key,
        aggregated.assigned_user_id,
        stages.pipeline_name,
        stages.stage_name,
        aggregated.stage_semantics,
        case when not aggregated.is_all_users then users.user_name end as assigned_user_name,
        stages.funnel_position,
        aggregated.stay_count,
        aggregated.total_spent_seconds,
        aggregated.avg_spent_seconds,
        aggregated.median_spent_seconds,
        aggregated.avg_spent_seconds / 86400.0 as avg_spent_days,
        aggregated.median_spent_seconds / 86400.0 as median_spent_days,
        aggregated.is_all_users
    from aggregated
    left join stages
        on aggregated.stage_key = stages.stage_key
    left join users
        on aggregated.portal_id = users.portal_id
        and aggregated.assigned_user_id = users.user_id

)

select * from final
