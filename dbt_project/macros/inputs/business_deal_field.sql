{#
    The SQL expression of a business deal field (payment_form, sales_channel, area_m2) over the raw
    deals table aliased `deals`: the custom field business_rules.yml names for the role, read at
    compile time from inputs.business_deal_fields — the decoded list value for enumerations, the
    number for area. A role with no field (or a field the raw table lacks) is NULL; a field given
    per portal becomes a `case portal_id`.
#}
{% macro business_deal_field(role, deals_relation) -%}
    {%- set kind = dbt.type_float() if role == 'area_m2' else dbt.type_string() -%}
    {%- set mapped = [] -%}
    {%- if execute -%}
        {%- set fields_relation = source('inputs', 'business_deal_fields') -%}
        {%- if load_relation(fields_relation) is not none -%}
            {%- set present = adapter.get_columns_in_relation(deals_relation) | map(attribute='name') | map('lower') | list -%}
            {%- set rows = run_query("select portal_id, lower(field_code) from " ~ fields_relation
                                     ~ " where role = '" ~ role ~ "' order by portal_id") -%}
            {%- for portal_id, column in rows.rows -%}
                {%- set decoded = column ~ '_value' -%}
                {%- if decoded in present and role != 'area_m2' -%}
                    {%- do mapped.append((portal_id, decoded)) -%}
                {%- elif column in present -%}
                    {%- do mapped.append((portal_id, column)) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not mapped -%}
        cast(null as {{ kind }})
    {%- elif mapped | length == 1 and mapped[0][0] is none -%}
        cast(deals.{{ mapped[0][1] }} as {{ kind }})
    {%- else -%}
        case
            {%- for portal_id, column in mapped if portal_id is not none %}
            when deals.portal_id = '{{ portal_id }}' then cast(deals.{{ column }} as {{ kind }})
            {%- endfor %}
            {%- for portal_id, column in mapped if portal_id is none %}
            else cast(deals.{{ column }} as {{ kind }})
            {%- endfor %}
        end
    {%- endif -%}
{%- endmacro %}
