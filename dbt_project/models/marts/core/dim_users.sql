{# One row per portal user, with the main department and its path. #}
with

users as (

    select * from {{ ref('stg_bitrix24__users') }}
    where not is_deleted

),

departments as (

    select * from {{ ref('dim_departments') }}

),

final as (

    select
        users.user_key,
        users.portal_id,
        users.user_id,
        coalesce(nullif(users.full_name, ''), 'User ' || cast(users.user_id as {{ dbt.type_string() }})) as user_name,
        users.email,
        users.work_position,
        users.user_type,
        coalesce(users.is_active, false) as is_active,
        users.primary_department_id as department_id,
        departments.department_key,
        departments.department_name,
        departments.department_path,
        users.employment_date,
        users.registered_at
    from users
    left join departments
        on users.portal_id = departments.portal_id
        and users.primary_department_id = departments.department_id

)

select * from final
