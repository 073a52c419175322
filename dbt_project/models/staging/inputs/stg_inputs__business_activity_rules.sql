with

source as (

    {{ inputs_source('business_activity_rules') }}

),

renamed as (

    select
        priority as rule_priority,
        kind as activity_kind,
        activity_type,
        subject_starts_with
    from source

)

select * from renamed
