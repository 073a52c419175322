with

source as (

    {{ bitrix24_source('users') }}

),

renamed as (

    select

        ---------- ids
        {{ bitrix24_key('id') }} as user_key,
        portal_id,
        id as user_id,
        {# UF_DEPARTMENT is a JSON array; the first department is the user's main one #}
        cast(uf_department ->> 0 as bigint) as primary_department_id,
        uf_department as department_ids,

        ---------- strings
        name as first_name,
        last_name,
        second_name,
        trim(concat_ws(' ', {{ bitrix24_nullif_blank('name') }}, {{ bitrix24_nullif_blank('last_name') }}))
            as full_name,
        email,
        work_position,
        user_type,
        {{ bitrix24_nullif_blank('personal_gender') }} as gender,
        {{ bitrix24_nullif_blank('personal_city') }} as city,
        {{ bitrix24_nullif_blank('personal_mobile') }} as mobile_phone,
        {{ bitrix24_nullif_blank('work_phone') }} as work_phone,
        {{ bitrix24_nullif_blank('uf_phone_inner') }} as internal_phone,
        {{ bitrix24_nullif_blank('time_zone') }} as time_zone,

        ---------- booleans
        active as is_active,
        is_online,

        ---------- dates
        personal_birthday as birth_date,
        uf_employment_date as employment_date,

        ---------- timestamps
        date_register as registered_at,
        last_login as last_login_at,

        ---------- load metadata
        coalesce(_is_deleted, false) as is_deleted,
        _deleted_at as deleted_at,
        _load_issues as load_issues

    from source

)

select * from renamed
