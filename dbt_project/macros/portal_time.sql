{#
    Portal-local time. Bitrix24 reports take dates and periods in the portal's zone (DESIGN §5);
    raw_bitrix24.portals.timezone_offset holds it as '+03:00'. The helpers add the offset to the
    UTC wall-clock time (no AT TIME ZONE '<offset>', whose sign PostgreSQL reads POSIX-style,
    reversed); DuckDB takes that time from epoch microseconds instead of AT TIME ZONE 'UTC'.
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
    {{ return(adapter.dispatch('portal_local_timestamp')(timestamp_column, offset_minutes_column)) }}
{%- endmacro %}

{% macro default__portal_local_timestamp(timestamp_column, offset_minutes_column) -%}
    (
        cast(({{ timestamp_column }} at time zone 'UTC') as {{ dbt.type_timestamp() }})
        + {{ offset_minutes_column }} * interval '1 minute'
    )
{%- endmacro %}

{# the same in microseconds since the epoch: DuckDB's AT TIME ZONE goes through ICU, 15x slower
   (2 M timestamps: 0.36 s -> 0.025 s; a build converts tens of millions) #}
{% macro duckdb__portal_local_timestamp(timestamp_column, offset_minutes_column) -%}
    make_timestamp(epoch_us({{ timestamp_column }}) + {{ offset_minutes_column }} * cast(60000000 as bigint))
{%- endmacro %}

{# The calendar day of a timestamptz in the portal's zone. #}
{% macro portal_local_date(timestamp_column, offset_minutes_column) -%}
    cast({{ portal_local_timestamp(timestamp_column, offset_minutes_column) }} as date)
{%- endmacro %}


{# The hour (0-23) of a timestamptz on the portal's clock. #}
{% macro started_hour(timestamp_column, offset_minutes_column) -%}
    cast(extract(hour from {{ portal_local_timestamp(timestamp_column, offset_minutes_column) }}) as integer)
{%- endmacro %}
