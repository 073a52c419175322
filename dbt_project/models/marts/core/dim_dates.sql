{# One row per calendar day (vars calendar_start … calendar_end), with working days. #}
select * from {{ ref('int_calendar_dates') }}
