{#
    Post-hook of int_stage_history_with_supposed on incremental runs: deletes the rows of stage
    transitions that are no longer live in the raw layer (the history of a deal deleted in the
    portal is marked deleted by the extractor's reconciliation), so an incremental run ends with
    the same table as a full rebuild.
#}
{% macro delete_removed_stage_transitions() %}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where portal_id || ':' || entity_type || ':' || cast(event_id as {{ dbt.type_string() }}) not in (
        select portal_id || ':deal:' || cast(deal_stage_history_id as {{ dbt.type_string() }})
        from {{ ref('stg_bitrix24__deal_stage_history') }}
        where not is_deleted
        union all
        select portal_id || ':lead:' || cast(lead_stage_history_id as {{ dbt.type_string() }})
        from {{ ref('stg_bitrix24__lead_stage_history') }}
        where not is_deleted
    )
    {%- endif -%}
{% endmacro %}
