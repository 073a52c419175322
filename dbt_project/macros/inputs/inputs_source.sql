{#
    `select *` from a business-inputs table (source `inputs`), or an empty one with the same columns
    when the inputs were never loaded: plans and rules are optional, the marts build without them.
#}
{% macro inputs_source(table_name) -%}
    {%- set columns = {
        'sales_plans': {'portal_id': 'text', 'month_start': 'date', 'scope': 'text', 'scope_id': 'text',
                        'metric': 'text', 'plan': 'numeric', 'source_file': 'text', 'source_line': 'bigint'},
        'calendar_days': {'day': 'date', 'is_working_day': 'boolean', 'name': 'text'},
        'business_event_stages': {'event': 'text', 'stage_id': 'text'},
        'business_activity_rules': {'priority': 'bigint', 'kind': 'text', 'activity_type': 'text',
                                    'subject_starts_with': 'text'},
        'business_deal_fields': {'portal_id': 'text', 'role': 'text', 'field_code': 'text'},
        'cost_rates': {'cost_kind': 'text', 'activity_type': 'text', 'rate': 'numeric'},
    } -%}
    {{ source_with_columns(source('inputs', table_name), columns[table_name]) }}
{%- endmacro %}
