{#
    Post-hook of the incremental stage-history models on incremental runs: deletes the rows of
    stage transitions the raw layer marks deleted (the history of a deal deleted in the portal, as
    the extractor's reconciliation finds it), so an incremental run ends with the same table as a
    full rebuild. Records vanish from the raw layer only on `extract --full-refresh`, which needs
    `transform --full-refresh` after it.
#}
{% macro delete_removed_stage_transitions() %}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where {{ scoped_key('portal_id', 'entity_type', 'event_id') }} in (
        select {{ scoped_key('portal_id', "'deal'", 'deal_stage_history_id') }}
        from {{ ref('stg_bitrix24__deal_stage_history') }}
        where is_deleted
        union all
        select {{ scoped_key('portal_id', "'lead'", 'lead_stage_history_id') }}
        from {{ ref('stg_bitrix24__lead_stage_history') }}
        where is_deleted
    )
    {%- endif -%}
{% endmacro %}
