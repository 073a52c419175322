with

source as (

    {{ inputs_source('cost_rates') }}

),

renamed as (

    select
        cost_kind,
        activity_type,
        cast(rate as decimal(20, 4)) as rate
    from source

)

select * from renamed
