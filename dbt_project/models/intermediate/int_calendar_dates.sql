{#
    One row per calendar day from var calendar_start to var calendar_end, with the working-day
    flag and the day's number among the working days of its month. Working days are Monday–Friday
    except the holidays of the working calendar (inputs.calendar_days, docs/inputs.md), plus the
    weekend days it lists as working days (transferred working Saturdays).
#}
with

days as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('calendar_start') ~ "' as date)",
        dbt.dateadd('day', 1, "cast('" ~ var('calendar_end') ~ "' as date)"),
    ) }}{# date_spine's end is exclusive; calendar_end is the last day #}

),

calendar_exceptions as (

    select * from {{ ref('stg_inputs__calendar_days') }}

),

flagged as (

    select
        cast(days.date_day as date) as date_day,
        cast(extract(isodow from days.date_day) as integer) as iso_day_of_week,
        coalesce(
            calendar_exceptions.is_working_day,
            cast(extract(isodow from days.date_day) as integer) <= 5
        ) as is_working_day,
        case when not calendar_exceptions.is_working_day then calendar_exceptions.day_name end as holiday_name
    from days
    left join calendar_exceptions
        on cast(days.date_day as date) = calendar_exceptions.calendar_date

),

counted as (

    select
        *,
        {# working days of the month up to and including the day (the plan/fact pace divides by it) #}
        cast(sum(case when is_working_day then 1 else 0 end) over (
            partition by {{ dbt.date_trunc('month', 'date_day') }}
            order by date_day
            rows between unbounded preceding and current row
        ) as integer) as working_days_elapsed_in_month
    from flagged

),

final as (

    select
        date_day,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start,
        cast(extract(year from date_day) as integer) as year_number,
        cast(extract(quarter from date_day) as integer) as quarter_number,
        cast(extract(month from date_day) as integer) as month_number,
        cast(extract(day from date_day) as integer) as day_of_month,
        iso_day_of_week,
        is_working_day,
        holiday_name,
        case when is_working_day then working_days_elapsed_in_month end as working_day_of_month,
        working_days_elapsed_in_month,
        cast(sum(case when is_working_day then 1 else 0 end) over (
            partition by {{ dbt.date_trunc('month', 'date_day') }}
        ) as integer) as working_days_in_month
    from counted

)

select * from final
