{#
    CTEs for the incremental stage-history models: `<target>` holds the rows of `<source>` (a CTE
    with portal_id, entity_type, owner_id, event_id) of every item that has a transition newer than
    the model already holds — the whole item, since its rows depend on all its transitions. On a
    full build, all of `<source>`. History IDs only grow, so the newest built ID is the watermark.
#}
{% macro items_with_new_stage_events(source, target) %}
{% if is_incremental_with_documented_columns() %}
built as (

    select portal_id, entity_type, max(event_id) as max_event_id
    from {{ this }}
    group by portal_id, entity_type

),

changed_owners as (

    select distinct {{ source }}.portal_id, {{ source }}.entity_type, {{ source }}.owner_id
    from {{ source }}
    left join built
        on {{ source }}.portal_id = built.portal_id
        and {{ source }}.entity_type = built.entity_type
    where built.max_event_id is null
        or {{ source }}.event_id > built.max_event_id

),

{{ target }} as (

    select {{ source }}.*
    from {{ source }}
    inner join changed_owners
        on {{ source }}.portal_id = changed_owners.portal_id
        and {{ source }}.entity_type = changed_owners.entity_type
        and {{ source }}.owner_id = changed_owners.owner_id

),
{% else %}
{{ target }} as (

    select * from {{ source }}

),
{% endif %}
{% endmacro %}
