with

source as (

    {{ bitrix24_source('portals') }}

),

renamed as (

    select

        ---------- ids
        portal_id,

        ---------- strings
        host,
        timezone_offset as utc_offset,

        ---------- numerics
        {{ utc_offset_minutes('timezone_offset') }} as utc_offset_minutes,

        ---------- timestamps
        extracted_at

    from source

)

select * from renamed
