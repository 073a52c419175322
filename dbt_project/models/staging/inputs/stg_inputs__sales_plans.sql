with

source as (

    {{ inputs_source('sales_plans') }}

),

renamed as (

    select
        portal_id || ':' || cast(month_start as {{ dbt.type_string() }}) || ':' || scope || ':'
            || coalesce(scope_id, '') || ':' || metric as sales_plan_key,
        portal_id,
        month_start,
        scope,
        scope_id,
        metric,
        cast(plan as decimal(20, 4)) as plan_value,
        source_file,
        source_line
    from source

)

select * from renamed
