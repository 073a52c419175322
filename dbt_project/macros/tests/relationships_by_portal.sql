{#
    Like dbt's `relationships`, for keys that are unique per portal only: every non-null
    (portal_id, column_name) of the model must exist as (portal_id, field) in `to`.
    `to_condition` narrows the parent rows (e.g. to one dictionary of stg_bitrix24__statuses).
#}
{% test relationships_by_portal(model, column_name, to, field, to_condition='1 = 1', portal_column='portal_id') %}

with

child as (

    select
        {{ portal_column }} as portal_id,
        {{ column_name }} as child_value
    from {{ model }}
    where {{ column_name }} is not null

),

parent as (

    select
        {{ portal_column }} as portal_id,
        {{ field }} as parent_value
    from {{ to }}
    where {{ to_condition }}

),

orphans as (

    select
        child.portal_id,
        child.child_value
    from child
    left join parent
        on child.portal_id = parent.portal_id
        and child.child_value = parent.parent_value
    where parent.parent_value is null

)

select * from orphans

{% endtest %}
