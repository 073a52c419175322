{# One row per department, with its path from the top of the company structure. #}
with recursive

departments as (

    select * from {{ ref('stg_bitrix24__departments') }}
    where not is_deleted

),

tree as (

    select
        portal_id,
        department_id,
        cast(department_name as {{ dbt.type_string() }}) as department_path,
        department_id as top_department_id,
        1 as depth
    from departments
    where parent_department_id is null

    union all

    select
        departments.portal_id,
        departments.department_id,
        cast(tree.department_path || ' / ' || departments.department_name as {{ dbt.type_string() }}),
        tree.top_department_id,
        tree.depth + 1
    from departments
    inner join tree
        on departments.portal_id = tree.portal_id
        and departments.parent_department_id = tree.department_id
    where tree.depth < 50

),

final as (

    select
        departments.department_key,
        departments.portal_id,
        departments.department_id,
        departments.department_name,
        departments.parent_department_id,
        departments.head_user_id,
        coalesce(tree.department_path, departments.department_name) as department_path,
        tree.top_department_id,
        tree.depth
    from departments
    left join tree
        on departments.portal_id = tree.portal_id
        and departments.department_id = tree.department_id

)

select * from final
