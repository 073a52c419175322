with

source as (

    {{ inputs_source('calendar_days') }}

),

renamed as (

    select
        cast(day as date) as calendar_date,
        is_working_day,
        name as day_name
    from source

)

select * from renamed
