{#
    The standard report periods (month, quarter, year) that the *_by_period marts precompute: every
    period from the first to the last stage transition in the warehouse, with the previous period
    of the same type (reference §7.6 dynamics and §7.9 use it).
#}
{{ config(materialized='table') }}

with

calendar as (

    select * from {{ ref('int_calendar_dates') }}

),

events as (

    select * from {{ ref('int_stage_events_classified') }}

),

data_range as (

    select min(entered_date) as first_date, max(entered_date) as last_date
    from events

),

days_in_range as (

    select calendar.*
    from calendar
    cross join data_range
    where calendar.date_day between data_range.first_date and data_range.last_date

),

periods as (

    select distinct 'month' as period_type, month_start as period_start from days_in_range
    union all
    select distinct 'quarter' as period_type, quarter_start as period_start from days_in_range
    union all
    select distinct 'year' as period_type, year_start as period_start from days_in_range

),

bounded as (

    select
        period_type,
        period_start,
        cast(
            case period_type
                when 'month' then {{ dbt.dateadd('month', 1, 'period_start') }}
                when 'quarter' then {{ dbt.dateadd('month', 3, 'period_start') }}
                else {{ dbt.dateadd('year', 1, 'period_start') }}
            end as date
        ) as next_period_start,
        cast(
            case period_type
                when 'month' then {{ dbt.dateadd('month', -1, 'period_start') }}
                when 'quarter' then {{ dbt.dateadd('month', -3, 'period_start') }}
                else {{ dbt.dateadd('year', -1, 'period_start') }}
            end as date
        ) as previous_period_start
    from periods

),

labelled as (

    select
        period_type || ':' || cast(period_start as {{ dbt.type_string() }}) as period_key,
        period_type,
        period_start,
        cast({{ dbt.dateadd('day', -1, 'next_period_start') }} as date) as period_end,
        case period_type
            when 'month' then cast(extract(year from period_start) as {{ dbt.type_string() }}) || '-'
                || lpad(cast(extract(month from period_start) as {{ dbt.type_string() }}), 2, '0')
            when 'quarter' then cast(extract(year from period_start) as {{ dbt.type_string() }}) || '-Q'
                || cast(extract(quarter from period_start) as {{ dbt.type_string() }})
            else cast(extract(year from period_start) as {{ dbt.type_string() }})
        end as period_label,
        previous_period_start,
        cast({{ dbt.dateadd('day', -1, 'period_start') }} as date) as previous_period_end
    from bounded

),

final as (

    select
        *,
        {# the rating reports' previous period (reference §7.9): [start − (end − start), start] #}
        cast({{ dbt.dateadd('day', dbt.datediff('period_end', 'period_start', 'day'), 'period_start') }} as date)
            as rating_previous_start
    from labelled

)

select * from final
