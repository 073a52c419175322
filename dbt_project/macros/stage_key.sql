{#
    The key of a stage in one pipeline of one portal: 'portal:deal:1:C1:WON', 'portal:lead::NEW'.
    Stage ids repeat across portals and (for deals) pipelines; lead stages have no pipeline.
#}
{% macro stage_key(portal_id, entity_type, pipeline_id, stage_id) -%}
    {{ portal_id }} || ':' || {{ entity_type }} || ':'
        || coalesce(cast({{ pipeline_id }} as {{ dbt.type_string() }}), '') || ':' || {{ stage_id }}
{%- endmacro %}
