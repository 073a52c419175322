{#
    Portal-local time. Bitrix24 reports take dates and periods in the portal's zone (DESIGN §5);
    raw_bitrix24.portals.timezone_offset holds it as '+03:00'. Both helpers are plain SQL that
    DuckDB and PostgreSQL read the same way (no AT TIME ZONE '<offset>', whose sign PostgreSQL
    reads POSIX-style, reversed).
#}

{# '+03:00' → 180, '-05:30' → -330 #}
{% macro utc_offset_minutes(offset_column) -%}
    (
        case when substr({{ offset_column }}, 1, 1) = '-' then -1 else 1 end
        * (
            cast(substr({{ offset_column }}, 2, 2) as integer) * 60
            + cast(substr({{ offset_column }}, 5, 2) as integer)
        )
    )
{%- endmacro %}

{# A timestamptz as the wall-clock time (timestamp without zone) in the portal's zone. #}
{% macro portal_local_timestamp(timestamp_column, offset_minutes_column) -%}
    (
        cast(({{ timestamp_column }} at time zone 'UTC') as {{ dbt.type_timestamp() }})
        + {{ offset_minutes_column }} * interval '1 minute'
    )
{%- endmacro %}

{# The calendar day of a timestamptz in the portal's zone. #}
{% macro portal_local_date(timestamp_column, offset_minutes_column) -%}
    cast({{ portal_local_timestamp(timestamp_column, offset_minutes_column) }} as date)
{%- endmacro %}
