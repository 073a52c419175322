{#
    The key of a record among a portal's deals and leads together: 'portal:deal:42'. Deal and lead
    IDs overlap, so the incremental funnel models rebuild items by this key (owner_scope_key), and
    their post-hooks delete by it: every place that builds one must build the same string.
#}
{% macro scoped_key(portal_id, entity_type, id) -%}
    {{ portal_id }} || ':' || {{ entity_type }} || ':' || cast({{ id }} as {{ dbt.type_string() }})
{%- endmacro %}
