with

source as (

    {{ inputs_source('business_deal_fields') }}

),

renamed as (

    select
        portal_id,
        role as field_role,
        lower(field_code) as field_column
    from source

)

select * from renamed
