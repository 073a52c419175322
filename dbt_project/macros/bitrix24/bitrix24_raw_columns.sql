{#
    The columns each raw table has when every field the API documents carries a value. dlt creates
    a column only for a field that has a value (or a type hint), so a portal whose records leave a
    text field empty everywhere — a hand-written fixture, a portal that never used ADDRESS_2 —
    lacks the column. Staging selects from `bitrix24_source(...)`, which adds every missing
    column as a typed NULL, so the models compile on any portal.
    Custom fields (uf_crm_*) are not listed: bitrix24_custom_field_columns reads them at run time.
#}
{% macro bitrix24_raw_columns() -%}
    {{ return({
        'activities': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'owner_id': 'bigint', 'owner_type_id': 'bigint',
            'type_id': 'bigint', 'associated_entity_id': 'bigint', 'responsible_id': 'bigint',
            'author_id': 'bigint', 'editor_id': 'bigint', 'priority': 'bigint', 'status': 'bigint',
            'direction': 'bigint', 'description_type': 'bigint', 'notify_type': 'bigint',
            'notify_value': 'bigint', 'completed': 'boolean', 'created': 'timestamptz',
            'last_updated': 'timestamptz', 'start_time': 'timestamptz', 'end_time': 'timestamptz',
            'deadline': 'timestamptz', 'result_mark': 'bigint', 'result_status': 'bigint',
            'result_stream': 'bigint', 'result_sum': 'numeric', 'autocomplete_rule': 'bigint',
            'settings': 'json', 'provider_params': 'json', 'provider_data': 'json', 'communications': 'json',
            'files': 'json', 'bindings': 'json', 'is_incoming_channel': 'boolean', 'provider_id': 'text',
            'provider_type_id': 'text', 'subject': 'text', 'description': 'text', 'location': 'text',
            'origin_id': 'text',
        },
        'calls': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'portal_user_id': 'bigint',
            'call_duration': 'bigint', 'call_start_date': 'timestamptz', 'call_type': 'bigint',
            'crm_entity_id': 'bigint', 'crm_activity_id': 'bigint', 'call_vote': 'bigint', 'cost': 'numeric',
            'record_duration': 'bigint', 'record_file_id': 'bigint', 'redial_attempt': 'bigint',
            'transcript_id': 'bigint', 'transcript_pending': 'boolean', 'rest_app_id': 'bigint',
            'session_id': 'text', 'call_failed_code': 'text', 'phone_number': 'text', 'portal_number': 'text',
            'call_id': 'text', 'call_category': 'text', 'cost_currency': 'text', 'call_failed_reason': 'text',
            'crm_entity_type': 'text',
        },
        'companies': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'assigned_by_id': 'bigint',
            'created_by_id': 'bigint', 'modify_by_id': 'bigint', 'date_create': 'timestamptz',
            'date_modify': 'timestamptz', 'opened': 'boolean', 'last_activity_time': 'timestamptz',
            'last_activity_by': 'bigint', 'revenue': 'numeric', 'lead_id': 'bigint',
            'is_my_company': 'boolean', 'has_phone': 'boolean', 'has_email': 'boolean', 'has_imol': 'boolean',
            'phone': 'json', 'email': 'json', 'web': 'json', 'im': 'json', 'title': 'text',
            'company_type': 'text', 'logo': 'json', 'address': 'text', 'address_2': 'text',
            'address_city': 'text', 'address_postal_code': 'text', 'address_region': 'text',
            'address_province': 'text', 'address_country': 'text', 'address_country_code': 'text',
            'address_loc_addr_id': 'bigint', 'address_legal': 'text', 'banking_details': 'text',
            'industry': 'text', 'employees': 'text', 'currency_id': 'text', 'comments': 'text',
            'contact_id': 'json', 'originator_id': 'text', 'origin_id': 'text', 'origin_version': 'text',
            'utm_source': 'text', 'utm_medium': 'text', 'utm_campaign': 'text', 'utm_content': 'text',
            'utm_term': 'text',
        },
        'contacts': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'assigned_by_id': 'bigint',
            'created_by_id': 'bigint', 'modify_by_id': 'bigint', 'date_create': 'timestamptz',
            'date_modify': 'timestamptz', 'opened': 'boolean', 'last_activity_time': 'timestamptz',
            'last_activity_by': 'bigint', 'company_id': 'bigint', 'lead_id': 'bigint', 'has_phone': 'boolean',
            'has_email': 'boolean', 'has_imol': 'boolean', 'export': 'boolean', 'birthdate': 'date',
            'phone': 'json', 'email': 'json', 'web': 'json', 'im': 'json', 'honorific': 'text',
            'name': 'text', 'second_name': 'text', 'last_name': 'text', 'photo': 'json', 'type_id': 'text',
            'source_id': 'text', 'source_description': 'text', 'post': 'text', 'address': 'text',
            'address_2': 'text', 'address_city': 'text', 'address_postal_code': 'text',
            'address_region': 'text', 'address_province': 'text', 'address_country': 'text',
            'address_country_code': 'text', 'address_loc_addr_id': 'bigint', 'comments': 'text',
            'company_ids': 'json', 'originator_id': 'text', 'origin_id': 'text', 'origin_version': 'text',
            'face_id': 'bigint', 'utm_source': 'text', 'utm_medium': 'text', 'utm_campaign': 'text',
            'utm_content': 'text', 'utm_term': 'text',
        },
        'currencies': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'amount_cnt': 'bigint', 'amount': 'numeric', 'sort': 'bigint',
            'base': 'boolean', 'decimals': 'bigint', 'date_update': 'timestamptz', 'currency': 'text',
            'full_name': 'text', 'lid': 'text', 'format_string': 'text', 'dec_point': 'text',
            'thousands_sep': 'text',
        },
        'deal_categories': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'sort': 'bigint', 'entity_type_id': 'bigint',
            'is_default': 'boolean', 'name': 'text', 'origin_id': 'text', 'originator_id': 'text',
        },
        'deal_product_rows': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'owner_id': 'bigint', 'product_id': 'bigint',
            'price': 'numeric', 'price_exclusive': 'numeric', 'price_netto': 'numeric',
            'price_brutto': 'numeric', 'price_account': 'numeric', 'quantity': 'numeric',
            'discount_type_id': 'bigint', 'discount_rate': 'numeric', 'discount_sum': 'numeric',
            'tax_rate': 'numeric', 'tax_included': 'boolean', 'customized': 'boolean',
            'measure_code': 'bigint', 'sort': 'bigint', 'type': 'bigint', 'store_id': 'bigint',
            'reserve_id': 'bigint', 'reserve_quantity': 'numeric', 'date_reserve_end': 'date',
            '_deleted': 'boolean', 'owner_type': 'text', 'product_name': 'text',
            'original_product_name': 'text', 'measure_name': 'text', 'xml_id': 'text',
        },
        'deal_stage_history': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'type_id': 'bigint', 'owner_id': 'bigint',
            'created_time': 'timestamptz', 'category_id': 'bigint', 'stage_semantic_id': 'text',
            'stage_id': 'text',
        },
        'deals': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'assigned_by_id': 'bigint',
            'created_by_id': 'bigint', 'modify_by_id': 'bigint', 'date_create': 'timestamptz',
            'date_modify': 'timestamptz', 'opened': 'boolean', 'last_activity_time': 'timestamptz',
            'last_activity_by': 'bigint', 'opportunity': 'numeric', 'tax_value': 'numeric',
            'category_id': 'text', 'probability': 'bigint', 'company_id': 'bigint', 'contact_id': 'bigint',
            'lead_id': 'bigint', 'quote_id': 'bigint', 'is_new': 'boolean', 'is_recurring': 'boolean',
            'is_return_customer': 'boolean', 'is_repeated_approach': 'boolean',
            'is_manual_opportunity': 'boolean', 'closed': 'boolean', 'begindate': 'date', 'closedate': 'date',
            'moved_time': 'timestamptz', 'moved_by_id': 'bigint', 'title': 'text', 'type_id': 'text',
            'stage_id': 'text', 'stage_semantic_id': 'text', 'currency_id': 'text', 'contact_ids': 'json',
            'comments': 'text', 'source_id': 'text', 'source_description': 'text', 'additional_info': 'text',
            'location_id': 'text', 'originator_id': 'text', 'origin_id': 'text', 'utm_source': 'text',
            'utm_medium': 'text', 'utm_campaign': 'text', 'utm_content': 'text', 'utm_term': 'text',
        },
        'departments': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'sort': 'bigint', 'parent': 'bigint',
            'uf_head': 'bigint', 'name': 'text',
        },
        'field_metadata': {
            'items': 'json', 'portal_id': 'text', 'entity': 'text', 'field': 'text', 'type': 'text',
            'title': 'text', 'label': 'text', 'is_required': 'boolean', 'is_read_only': 'boolean',
            'is_multiple': 'boolean', 'is_custom': 'boolean', 'status_type': 'text',
        },
        'invoice_categories': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'sort': 'bigint', 'entity_type_id': 'bigint',
            'is_default': 'boolean', 'name': 'text', 'origin_id': 'text', 'originator_id': 'text',
        },
        'invoices': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'category_id': 'bigint', 'opportunity': 'numeric',
            'tax_value': 'numeric', 'company_id': 'bigint', 'contact_id': 'bigint', 'mycompany_id': 'bigint',
            'assigned_by_id': 'bigint', 'created_by': 'bigint', 'updated_by': 'bigint', 'moved_by': 'bigint',
            'parent_id2': 'bigint', 'parent_id7': 'bigint', 'created_time': 'timestamptz',
            'updated_time': 'timestamptz', 'moved_time': 'timestamptz', 'begindate': 'date',
            'closedate': 'date', 'is_manual_opportunity': 'boolean', 'opened': 'boolean',
            'entity_type_id': 'bigint', 'contact_ids': 'json', 'observers': 'json', 'title': 'text',
            'account_number': 'text', 'stage_id': 'text', 'previous_stage_id': 'text', 'currency_id': 'text',
            'source_id': 'text',
        },
        'lead_stage_history': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'type_id': 'bigint', 'owner_id': 'bigint',
            'created_time': 'timestamptz', 'category_id': 'bigint', 'status_semantic_id': 'text',
            'status_id': 'text',
        },
        'leads': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'assigned_by_id': 'bigint',
            'created_by_id': 'bigint', 'modify_by_id': 'bigint', 'date_create': 'timestamptz',
            'date_modify': 'timestamptz', 'opened': 'boolean', 'last_activity_time': 'timestamptz',
            'last_activity_by': 'bigint', 'opportunity': 'numeric', 'company_id': 'bigint',
            'contact_id': 'bigint', 'is_return_customer': 'boolean', 'is_manual_opportunity': 'boolean',
            'has_phone': 'boolean', 'has_email': 'boolean', 'has_imol': 'boolean',
            'date_closed': 'timestamptz', 'moved_time': 'timestamptz', 'moved_by_id': 'bigint',
            'birthdate': 'date', 'phone': 'json', 'email': 'json', 'web': 'json', 'im': 'json',
            'title': 'text', 'honorific': 'text', 'name': 'text', 'second_name': 'text', 'last_name': 'text',
            'company_title': 'text', 'contact_ids': 'json', 'source_id': 'text', 'source_description': 'text',
            'status_id': 'text', 'status_description': 'text', 'post': 'text', 'comments': 'text',
            'currency_id': 'text', 'status_semantic_id': 'text', 'originator_id': 'text', 'origin_id': 'text',
            'address': 'text', 'address_2': 'text', 'address_city': 'text', 'address_postal_code': 'text',
            'address_region': 'text', 'address_province': 'text', 'address_country': 'text',
            'address_country_code': 'text', 'address_loc_addr_id': 'bigint', 'utm_source': 'text',
            'utm_medium': 'text', 'utm_campaign': 'text', 'utm_content': 'text', 'utm_term': 'text',
        },
        'portals': {
            'portal_id': 'text', 'host': 'text', 'timezone_offset': 'text', 'extracted_at': 'timestamptz',
        },
        'products': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'iblock_id': 'bigint', 'active': 'boolean',
            'purchasing_price': 'numeric', 'measure': 'bigint', 'quantity': 'numeric',
            'date_create': 'timestamptz', 'timestamp_x': 'timestamptz', 'iblock_section_id': 'bigint',
            'name': 'text', 'code': 'text', 'xml_id': 'text', 'available': 'text', 'bundle': 'text',
            'type': 'bigint', 'purchasing_currency': 'text', 'quantity_reserved': 'float',
            'quantity_trace': 'text', 'can_buy_zero': 'text', 'vat_id': 'bigint', 'vat_included': 'text',
            'sort': 'bigint', 'created_by': 'bigint', 'modified_by': 'bigint',
        },
        'statuses': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'sort': 'bigint', 'system': 'boolean',
            'category_id': 'bigint', 'extra': 'json', 'entity_id': 'text', 'status_id': 'text',
            'name': 'text', 'name_init': 'text', 'color': 'text', 'semantics': 'text',
        },
        'users': {
            'portal_id': 'text', '_load_issues': 'text', '_is_deleted': 'boolean',
            '_deleted_at': 'timestamptz', 'id': 'bigint', 'active': 'boolean', 'is_online': 'boolean',
            'date_register': 'timestamptz', 'last_login': 'timestamptz', 'personal_birthday': 'date',
            'timestamp_x': 'text', 'uf_department': 'json', 'last_activity_date': 'text',
            'uf_employment_date': 'date', 'name': 'text', 'last_name': 'text', 'second_name': 'text',
            'email': 'text', 'time_zone': 'text', 'personal_gender': 'text', 'personal_www': 'text',
            'personal_mobile': 'text', 'personal_city': 'text', 'work_phone': 'text', 'work_position': 'text',
            'uf_phone_inner': 'text', 'user_type': 'text',
        },
    }) }}
{%- endmacro %}


{# `select * from <raw table>` plus a typed NULL for each documented column the table lacks. #}
{% macro bitrix24_source(table_name) -%}
    {%- set relation = source('bitrix24', table_name) -%}
    {%- set missing = [] -%}
    {%- set exists = true -%}
    {%- if execute -%}
        {#- a portal without, say, telephony has no calls table: an empty one stands in -#}
        {%- set exists = load_relation(relation) is not none -%}
        {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list
            if exists else [] -%}
        {%- for column, kind in bitrix24_raw_columns().get(table_name, {}).items() -%}
            {%- if column not in present -%}
                {%- do missing.append((column, kind)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set sql_types = {
        'text': dbt.type_string(), 'bigint': dbt.type_bigint(), 'numeric': 'numeric(20, 4)',
        'boolean': dbt.type_boolean(), 'date': 'date', 'timestamptz': 'timestamp with time zone',
        'float': dbt.type_float(), 'json': 'json',
    } -%}
    {%- if exists %}
    select
        *
        {%- for column, kind in missing %},
        cast(null as {{ sql_types[kind] }}) as {{ column }}
        {%- endfor %}
    from {{ relation }}
    {%- else %}
    select
        {%- for column, kind in missing %}
        cast(null as {{ sql_types[kind] }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- endif %}
{%- endmacro %}
