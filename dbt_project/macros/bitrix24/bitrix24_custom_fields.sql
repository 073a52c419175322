{#
    Custom fields (UF_CRM_*) under human column names.

    UF codes are portal-specific (UF_CRM_1709632145 is "Payment form" on one portal and nothing on
    the next), so no model hard-codes them. At run time this macro reads the raw table's columns and
    raw_bitrix24.field_metadata (one row per portal × entity × field, with the field's label) and
    emits one select-list line per custom field, each ending in a comma:

        uf_crm_1709632145_value as payment_form,      -- enumeration: the decoded value ...
        uf_crm_1709632145 as payment_form_id,         -- ... and the item id
        uf_crm_1709632512 as area_m2,
        uf_crm_1715003317 as is_assembly_service,     -- booleans get is_

    Naming, first match wins:
      1. var bitrix24_custom_field_names: '<entity>.<UF code>' or '<UF code>' → name;
      2. the field's label in snake_case (Cyrillic transliterated, '²' → 2, '%' → pct);
      3. the raw column name (no metadata, an empty label, or a name already taken).
    Columns the metadata does not describe pass through under their raw names, so an empty
    field_metadata table (or none) still gives a working model.

    Several portals in one warehouse: when field_metadata covers more than one portal, each name is
    a `case portal_id when ... end` over the columns that carry that label on each portal.
#}
{% macro bitrix24_custom_field_columns(entity, source_relation) -%}
    {%- set metadata_relation = source('bitrix24', 'field_metadata') -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}

    {#- raw columns: custom ones, their decoded *_value siblings and the rest (reserved names) -#}
    {%- set column_types = {} -%}
    {%- for column in adapter.get_columns_in_relation(source_relation) -%}
        {%- do column_types.update({column.name | lower: column.data_type}) -%}
    {%- endfor -%}
    {%- set custom_columns = [] -%}
    {%- set used_names = {} -%}
    {%- for name in column_types -%}
        {%- if name.startswith('uf_crm_') -%}
            {%- if not (name.endswith('_value') and name[:-6] in column_types) -%}
                {%- do custom_columns.append(name) -%}
            {%- endif -%}
        {%- else -%}
            {%- do used_names.update({name: true}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if custom_columns | length == 0 -%}
        {{ return('') }}
    {%- endif -%}

    {#- field metadata of this entity, when the table exists -#}
    {%- set fields = [] -%}
    {%- if load_relation(metadata_relation) is not none -%}
        {%- set metadata_query -%}
            select
                portal_id,
                lower(field) as column_name,
                type,
                coalesce(nullif(trim(label), ''), nullif(trim(title), ''), field) as label
            from {{ metadata_relation }}
            where entity = '{{ entity }}'
                and lower(field) like 'uf_crm%'
            order by portal_id, field
        {%- endset -%}
        {%- for row in run_query(metadata_query).rows -%}
            {%- if row[1] in custom_columns -%}
                {%- do fields.append({
                    'portal_id': row[0], 'column': row[1], 'type': row[2], 'label': row[3],
                }) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set portals = fields | map(attribute='portal_id') | unique | list -%}

    {%- set overrides = {} -%}
    {%- for key, value in var('bitrix24_custom_field_names', {}).items() -%}
        {%- do overrides.update({key | lower: value | lower}) -%}
    {%- endfor -%}

    {#- name → [(portal_id, raw column)], in first-seen order -#}
    {%- set names = [] -%}
    {%- set sources_by_name = {} -%}
    {%- set portals_by_name = {} -%}
    {%- set claimed = {} -%}
    {%- for field in fields -%}
        {%- set override = overrides.get(entity ~ '.' ~ field.column, overrides.get(field.column)) -%}
        {%- if override -%}
            {%- set base = override -%}
        {%- else -%}
            {%- set base = bitrix24_snake_case(field.label) -%}
            {%- if base == '' or base[0] in '0123456789' -%}
                {%- set base = field.column -%}
            {%- elif field.type == 'boolean' and not (base.startswith('is_') or base.startswith('has_')) -%}
                {%- set base = 'is_' ~ base -%}
            {%- endif -%}
        {%- endif -%}
        {%- if (field.column ~ '_value') in column_types -%}
            {%- set pairs = [(base, field.column ~ '_value'), (base ~ '_id', field.column)] -%}
        {%- else -%}
            {%- set pairs = [(base, field.column)] -%}
        {%- endif -%}
        {%- for wanted_name, raw_column in pairs -%}
            {%- set target = namespace(name=wanted_name) -%}
            {%- if target.name in used_names
                or field.portal_id in portals_by_name.get(target.name, {}) -%}
                {%- set target.name = raw_column -%}
            {%- endif -%}
            {%- if target.name not in sources_by_name -%}
                {%- do names.append(target.name) -%}
                {%- do sources_by_name.update({target.name: []}) -%}
                {%- do portals_by_name.update({target.name: {}}) -%}
            {%- endif -%}
            {%- do sources_by_name[target.name].append((field.portal_id, raw_column)) -%}
            {%- do portals_by_name[target.name].update({field.portal_id: true}) -%}
            {%- do claimed.update({raw_column: true}) -%}
        {%- endfor -%}
    {%- endfor -%}

    {%- for name in names -%}
        {%- set entries = sources_by_name[name] -%}
        {%- if portals | length <= 1 %}
        {{ entries[0][1] }} as {{ name }},
        {%- else -%}
            {%- set entry_types = [] -%}
            {%- for entry in entries -%}
                {%- do entry_types.append(column_types[entry[1]] | lower) -%}
            {%- endfor -%}
            {%- set mixed_types = entry_types | unique | list | length > 1 %}
        case portal_id
            {%- for portal_id, raw_column in entries %}
            when '{{ portal_id | replace("'", "''") }}' then
                {%- if mixed_types %} cast({{ raw_column }} as {{ dbt.type_string() }})
                {%- else %} {{ raw_column }}{% endif %}
            {%- endfor %}
        end as {{ name }},
        {%- endif -%}
    {%- endfor -%}
    {%- for raw_column in column_types -%}
        {%- if raw_column.startswith('uf_crm_') and raw_column not in claimed %}
        {{ raw_column }},
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}


{#- 'Area, m²' → area_m2, 'Причина отказа' → prichina_otkaza, '% скидки' → pct_skidki -#}
{% macro bitrix24_snake_case(label) -%}
    {%- set transliteration = {
        'а': 'a', 'б': 'b', 'в': 'v', 'г': 'g', 'д': 'd', 'е': 'e', 'ё': 'e', 'ж': 'zh', 'з': 'z',
        'и': 'i', 'й': 'y', 'к': 'k', 'л': 'l', 'м': 'm', 'н': 'n', 'о': 'o', 'п': 'p', 'р': 'r',
        'с': 's', 'т': 't', 'у': 'u', 'ф': 'f', 'х': 'kh', 'ц': 'ts', 'ч': 'ch', 'ш': 'sh',
        'щ': 'shch', 'ъ': '', 'ы': 'y', 'ь': '', 'э': 'e', 'ю': 'yu', 'я': 'ya',
        'і': 'i', 'ї': 'yi', 'є': 'ye', 'ґ': 'g', 'ә': 'a', 'ғ': 'g', 'қ': 'q', 'ң': 'n',
        'ө': 'o', 'ұ': 'u', 'ү': 'u', 'һ': 'h',
        '²': '2', '³': '3', '%': ' pct ', '№': ' number ', '#': ' number ', '&': ' and ',
        '+': ' plus ', '€': ' eur ', '$': ' usd ', '₽': ' rub ',
    } -%}
    {%- set state = namespace(text='') -%}
    {%- for character in (label | string | lower) -%}
        {%- set state.text = state.text ~ transliteration.get(character, character) -%}
    {%- endfor -%}
    {%- set snake = modules.re.sub('[^a-z0-9]+', '_', state.text) | trim('_') -%}
    {{- return(snake[:63] | trim('_')) -}}
{%- endmacro %}
