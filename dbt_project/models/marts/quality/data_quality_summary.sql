{#
    Data quality over time (docs/marts.md): per portal × day × entity × rule × owner, the records
    failing the rule, the owner's records of that entity, the failing share and the change since the
    previous day recorded. The day is the portal-local date of the last extraction; each build
    replaces that day's rows and keeps the earlier days (full_refresh=false: history survives
    `--full-refresh`), so a steward follows fixes day by day. Owners with records of an entity get a
    row for each of its rules, zero when clean.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['portal_id', 'snapshot_date'],
        on_schema_change='fail',
        full_refresh=false,
    )
}}

with

failures as (

    select * from {{ ref('data_quality_records') }}

),

portals as (

    select
        portal_id,
        {{ portal_local_date('extracted_at', 'coalesce(utc_offset_minutes, 0)') }} as snapshot_date
    from {{ ref('stg_bitrix24__portals') }}

),

rules as (

    {% set rules = {
        'lead': ['missing_phone', 'missing_email', 'missing_source', 'lead_without_status_history',
                 'amount_without_currency', 'owned_by_deactivated_user'],
        'deal': ['missing_source', 'deal_without_contact_or_company', 'missing_amount', 'amount_without_currency',
                 'owned_by_deactivated_user', 'stage_history_disagrees'],
        'contact': ['missing_phone', 'missing_email', 'duplicate_contact_phone', 'duplicate_contact_email',
                    'owned_by_deactivated_user'],
        'company': ['owned_by_deactivated_user'],
    } %}
    {%- for entity, names in rules.items() %}
    {%- for name in names %}
    select '{{ entity }}' as entity_type, '{{ name }}' as rule_name
    {{- "\n    union all" if not loop.last or entity != 'company' }}
    {%- endfor %}
    {%- endfor %}

),

{# the records each owner holds, per entity: the denominator of the share #}
populations as (

    select portal_id, 'lead' as entity_type, assigned_user_id, count(*) as records_count
    from {{ ref('fct_leads') }} where not is_deleted group by 1, 2, 3
    union all
    select portal_id, 'deal', assigned_user_id, count(*)
    from {{ ref('fct_deals') }} where not is_deleted and not coalesce(is_recurring, false) group by 1, 2, 3
    union all
    select portal_id, 'contact', assigned_user_id, count(*)
    from {{ ref('stg_bitrix24__contacts') }} where not is_deleted group by 1, 2, 3
    union all
    select portal_id, 'company', assigned_user_id, count(*)
    from {{ ref('stg_bitrix24__companies') }} where not is_deleted group by 1, 2, 3

),

failing as (

    select portal_id, entity_type, rule_name, assigned_user_id, count(*) as failing_count
    from failures
    group by 1, 2, 3, 4

),

current_day as (

    select
        populations.portal_id,
        portals.snapshot_date,
        populations.entity_type,
        rules.rule_name,
        populations.assigned_user_id,
        coalesce(failing.failing_count, 0) as failing_count,
        populations.records_count
    from populations
    inner join rules
        on populations.entity_type = rules.entity_type
    inner join portals
        on populations.portal_id = portals.portal_id
    left join failing
        on populations.portal_id = failing.portal_id
        and populations.entity_type = failing.entity_type
        and rules.rule_name = failing.rule_name
        and coalesce(populations.assigned_user_id, -1) = coalesce(failing.assigned_user_id, -1)

),

{% if is_incremental() %}
previous_day as (

    select built.*
    from {{ this }} as built
    inner join (
        select built_days.portal_id, max(built_days.snapshot_date) as snapshot_date
        from {{ this }} as built_days
        inner join portals
            on built_days.portal_id = portals.portal_id
            and built_days.snapshot_date < portals.snapshot_date
        group by built_days.portal_id
    ) as latest
        on built.portal_id = latest.portal_id
        and built.snapshot_date = latest.snapshot_date

),
{% endif %}

final as (

    select
        current_day.portal_id || ':' || cast(current_day.snapshot_date as {{ dbt.type_string() }}) || ':'
            || current_day.entity_type || ':' || current_day.rule_name || ':'
            || cast(coalesce(current_day.assigned_user_id, 0) as {{ dbt.type_string() }}) as data_quality_summary_key,
        current_day.portal_id,
        current_day.snapshot_date,
        current_day.entity_type,
        current_day.rule_name,
        current_day.assigned_user_id,
        current_day.failing_count,
        current_day.records_count,
        cast(round(100.0 * current_day.failing_count / nullif(current_day.records_count, 0), 1) as decimal(10, 1))
            as failing_share_pct,
        {% if is_incremental() %}
        previous_day.snapshot_date as previous_snapshot_date,
        current_day.failing_count - previous_day.failing_count as failing_count_change
        {% else %}
        cast(null as date) as previous_snapshot_date,
        cast(null as {{ dbt.type_bigint() }}) as failing_count_change
        {% endif %}
    from current_day
    {% if is_incremental() %}
    left join previous_day
        on current_day.portal_id = previous_day.portal_id
        and current_day.entity_type = previous_day.entity_type
        and current_day.rule_name = previous_day.rule_name
        and coalesce(current_day.assigned_user_id, -1) = coalesce(previous_day.assigned_user_id, -1)
    {% endif %}

)

select * from final
