with

source as (

    {{ inputs_source('business_event_stages') }}

),

renamed as (

    select
        event as business_event,
        stage_id
    from source

)

select * from renamed
