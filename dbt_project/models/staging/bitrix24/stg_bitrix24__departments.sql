with

source as (

    {{ bitrix24_source('departments') }}

),

renamed as (

    select

        ---------- ids
        {{ bitrix24_key('id') }} as department_key,
        portal_id,
        id as department_id,
        parent as parent_department_id,
        uf_head as head_user_id,

        ---------- strings
        name as department_name,

        ---------- numerics
        sort as sort_order,

        ---------- load metadata
        coalesce(_is_deleted, false) as is_deleted,
        _deleted_at as deleted_at,
        _load_issues as load_issues

    from source

)

select * from renamed
