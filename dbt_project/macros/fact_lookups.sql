{#
    Lookups for the incremental facts' comparison (macros/incremental_facts.sql), for the values
    several facts look up the same way.
#}

{# A lookup of columns as they are: on {built key: lookup column}, values {built column: lookup column}. #}
{% macro column_lookup(relation, on, values) -%}
    {%- set conditions = [] -%}
    {%- for built, current in on.items() -%}
        {%- do conditions.append('seen.' ~ built ~ ' = lookup.' ~ current) -%}
    {%- endfor -%}
    {%- set compare = {} -%}
    {%- for built, current in values.items() -%}
        {%- do compare.update({built: 'lookup.' ~ current}) -%}
    {%- endfor -%}
    {{ return({'keys': on.keys() | list, 'columns': values.keys() | list, 'relation': relation,
               'on': conditions | join(' and '), 'compare': compare}) }}
{%- endmacro %}


{# The user (dim_users) a fact holds by `user_id`: values {built column: dim_users column}. #}
{% macro user_lookup(user_id, values) -%}
    {{ return(column_lookup(ref('dim_users'), {'portal_id': 'portal_id', user_id: 'user_id'}, values)) }}
{%- endmacro %}


{# The date of `timestamp` in the portal's time zone, held as `date`. #}
{% macro portal_date_lookup(timestamp, date) -%}
    {{ return({'keys': ['portal_id', timestamp], 'columns': [date], 'relation': ref('stg_bitrix24__portals'),
               'by_record': true, 'on': 'seen.portal_id = lookup.portal_id',
               'compare': {date: portal_local_date('seen.' ~ timestamp, 'coalesce(lookup.utc_offset_minutes, 0)')}}) }}
{%- endmacro %}


{# The rate a deal's or lead's amount was converted at (macros/enriched_records.sql). #}
{% macro currency_rate_lookup() -%}
    {{ return({'keys': ['portal_id', 'currency_id'], 'columns': ['rate_to_account_currency'],
               'relation': ref('stg_bitrix24__currencies'),
               'on': 'seen.portal_id = lookup.portal_id and seen.currency_id = lookup.currency_id',
               'compare': {'rate_to_account_currency': 'coalesce(lookup.rate_to_base, 1)'}}) }}
{%- endmacro %}
