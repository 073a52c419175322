{#
    Every record that fails a data-quality rule, one row per record × rule, with its owner, so a
    steward sees what is wrong, where and whose (docs/marts.md lists the rules). Deleted records are
    not checked; rules on "open" records skip closed deals and leads.
#}
with

{# not materialized: each rule reads its own columns; materialized, DuckDB first copied every column of the facts #}
leads as not materialized (

    select * from {{ ref('fct_leads') }}
    where not is_deleted

),

deals as not materialized (

    select * from {{ ref('fct_deals') }}
    where not is_deleted
        and not coalesce(is_recurring, false)

),

contacts as not materialized (

    select * from {{ ref('stg_bitrix24__contacts') }}
    where not is_deleted

),

companies as (

    select * from {{ ref('stg_bitrix24__companies') }}
    where not is_deleted

),

users as (

    select * from {{ ref('dim_users') }}

),

pipelines as (

    select portal_id, pipeline_id from {{ ref('dim_pipelines') }}

),

stages as (

    select stage_key from {{ ref('dim_stages') }}

),

lead_history as (

    select distinct portal_id, lead_id from {{ ref('stg_bitrix24__lead_stage_history') }}
    where not is_deleted

),

{# the stage of each deal's latest real transition #}
last_deal_stages as (

    select portal_id, owner_id as deal_id, {{ value_at_max('stage_id', 'event_id') }} as stage_id
    from {{ ref('int_stage_events_classified') }}
    where entity_type = 'deal'
    group by portal_id, owner_id

),

contact_channels as (

    select
        portal_id,
        contact_id,
        assigned_user_id,
        created_at,
        nullif(regexp_replace(coalesce(primary_phone, ''), '[^0-9]', '', 'g'), '') as phone_digits,
        nullif(lower(trim(coalesce(primary_email, ''))), '') as email
    from contacts

),

{# the channels two contacts should not share: rule, column of contact_channels #}
{%- set channels = [('duplicate_contact_phone', 'phone_digits'), ('duplicate_contact_email', 'email')] %}

{# the first (lowest-id) contact of each phone and of each e-mail more than one contact has: hash
   aggregates, where first_value windows sorted all 600,000 contacts (2.0 s -> 0.8 s, large portal) #}
{%- for rule_name, channel in channels %}
first_by_{{ channel }} as (

    select portal_id, {{ channel }}, min(contact_id) as first_contact_id
    from contact_channels
    where {{ channel }} is not null
    group by portal_id, {{ channel }}
    having count(*) > 1

),
{% endfor %}
{# a contact whose phone (or e-mail) an earlier contact already has; detail names the earlier one #}
duplicate_contacts as (
    {%- for rule_name, channel in channels %}

    select
        contact_channels.portal_id, contact_channels.contact_id, contact_channels.assigned_user_id,
        '{{ rule_name }}' as rule_name, first_by_{{ channel }}.first_contact_id
    from contact_channels
    inner join first_by_{{ channel }}
        on contact_channels.portal_id = first_by_{{ channel }}.portal_id
        and contact_channels.{{ channel }} = first_by_{{ channel }}.{{ channel }}
    where contact_channels.contact_id <> first_by_{{ channel }}.first_contact_id
    {{- "\n\n    union all" if not loop.last }}
    {%- endfor %}

),

failures as (

    {# leads #}
    select portal_id, 'lead' as entity_type, lead_id as record_id, assigned_user_id, 'missing_phone' as rule_name,
        cast(null as {{ dbt.type_string() }}) as detail
    from leads where not coalesce(has_phone, false)
    union all
    select portal_id, 'lead', lead_id, assigned_user_id, 'missing_email', cast(null as {{ dbt.type_string() }})
    from leads where not coalesce(has_email, false)
    union all
    select portal_id, 'lead', lead_id, assigned_user_id, 'missing_source', cast(null as {{ dbt.type_string() }})
    from leads where source_id is null
    union all
    select leads.portal_id, 'lead', leads.lead_id, leads.assigned_user_id, 'lead_without_status_history',
        cast(null as {{ dbt.type_string() }})
    from leads
    left join lead_history
        on leads.portal_id = lead_history.portal_id
        and leads.lead_id = lead_history.lead_id
    where lead_history.lead_id is null
    union all
    select portal_id, 'lead', lead_id, assigned_user_id, 'amount_without_currency', cast(null as {{ dbt.type_string() }})
    from leads where amount > 0 and currency_id is null
    union all
    select portal_id, 'lead', lead_id, assigned_user_id, 'owned_by_deactivated_user', assigned_user_name
    from leads where stage_semantics = 'process' and is_assigned_user_active = false
    union all
    select leads.portal_id, 'lead', leads.lead_id, leads.assigned_user_id, 'unknown_status',
        'status ' || leads.stage_id || ' is not in the portal''s lead statuses'
    from leads
    left join stages
        on leads.stage_key = stages.stage_key
    where stages.stage_key is null

    {# deals #}
    union all
    select portal_id, 'deal', deal_id, assigned_user_id, 'missing_source', cast(null as {{ dbt.type_string() }})
    from deals where source_id is null
    union all
    select portal_id, 'deal', deal_id, assigned_user_id, 'deal_without_contact_or_company',
        cast(null as {{ dbt.type_string() }})
    from deals where contact_id is null and company_id is null
    union all
    select portal_id, 'deal', deal_id, assigned_user_id, 'missing_amount', cast(null as {{ dbt.type_string() }})
    from deals where coalesce(amount, 0) = 0
    union all
    select portal_id, 'deal', deal_id, assigned_user_id, 'amount_without_currency', cast(null as {{ dbt.type_string() }})
    from deals where amount > 0 and currency_id is null
    union all
    select portal_id, 'deal', deal_id, assigned_user_id, 'owned_by_deactivated_user', assigned_user_name
    from deals where stage_semantics = 'process' and is_assigned_user_active = false
    union all
    select deals.portal_id, 'deal', deals.deal_id, deals.assigned_user_id, 'stage_history_disagrees',
        'history ends in ' || last_deal_stages.stage_id || ', deal is in ' || deals.stage_id
    from deals
    inner join last_deal_stages
        on deals.portal_id = last_deal_stages.portal_id
        and deals.deal_id = last_deal_stages.deal_id
    where last_deal_stages.stage_id <> deals.stage_id
    union all
    select deals.portal_id, 'deal', deals.deal_id, deals.assigned_user_id, 'unknown_pipeline',
        'pipeline ' || cast(deals.pipeline_id as {{ dbt.type_string() }}) || ' is not in the portal''s pipelines'
    from deals
    left join pipelines
        on deals.portal_id = pipelines.portal_id
        and deals.pipeline_id = pipelines.pipeline_id
    where pipelines.pipeline_id is null
    union all
    select deals.portal_id, 'deal', deals.deal_id, deals.assigned_user_id, 'unknown_stage',
        'stage ' || deals.stage_id || ' is not in the portal''s deal stages'
    from deals
    left join stages
        on deals.stage_key = stages.stage_key
    where stages.stage_key is null

    {# contacts and companies #}
    union all
    select portal_id, 'contact', contact_id, assigned_user_id, 'missing_phone', cast(null as {{ dbt.type_string() }})
    from contacts where not coalesce(has_phone, false)
    union all
    select portal_id, 'contact', contact_id, assigned_user_id, 'missing_email', cast(null as {{ dbt.type_string() }})
    from contacts where not coalesce(has_email, false)
    union all
    select portal_id, 'contact', contact_id, assigned_user_id, rule_name,
        'same as contact ' || cast(first_contact_id as {{ dbt.type_string() }})
    from duplicate_contacts
    union all
    select contacts.portal_id, 'contact', contacts.contact_id, contacts.assigned_user_id, 'owned_by_deactivated_user',
        users.user_name
    from contacts
    inner join users
        on contacts.portal_id = users.portal_id
        and contacts.assigned_user_id = users.user_id
    where not users.is_active
    union all
    select companies.portal_id, 'company', companies.company_id, companies.assigned_user_id, 'owned_by_deactivated_user',
        users.user_name
    from companies
    inner join users
        on companies.portal_id = users.portal_id
        and companies.assigned_user_id = users.user_id
    where not users.is_active and not coalesce(companies.is_my_company, false)

),

final as (

    select
        failures.portal_id || ':' || failures.entity_type || ':' || cast(failures.record_id as {{ dbt.type_string() }})
            || ':' || failures.rule_name as data_quality_record_key,
        failures.portal_id,
        failures.entity_type,
        failures.record_id,
        failures.portal_id || ':' || cast(failures.record_id as {{ dbt.type_string() }}) as record_key,
        failures.rule_name,
        failures.detail,
        failures.assigned_user_id,
        users.user_name as assigned_user_name,
        users.department_id,
        users.department_name
    from failures
    left join users
        on failures.portal_id = users.portal_id
        and failures.assigned_user_id = users.user_id

)

select * from final
