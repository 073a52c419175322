{#
    Bitrix24's one-letter stage semantics (STAGE_SEMANTIC_ID, STATUS_SEMANTIC_ID, SEMANTICS) as
    words: P → process, S → success, F → failure. In crm.status.list a NULL means "process"
    (null_means_process=true); on records and history rows a NULL stays unknown.
#}
{% macro bitrix24_semantics(code_column, null_means_process=false) -%}
    case {{ code_column }}
        when 'S' then 'success'
        when 'F' then 'failure'
        when 'P' then 'process'
        {%- if null_means_process %}
        else 'process'
        {%- endif %}
    end
{%- endmacro %}
