{#
    What each manager did each day, metric by metric — the fact side of the plan/fact marts, one row
    per portal × user × pipeline × day × metric × payment form × sales channel (pipeline, payment
    form and sales channel come with the deal a fact belongs to: NULL for leads and activities).
    Facts:
      leads          leads created, by their responsible user, creation day;
      calls, meetings, showings
                     completed activities of that kind (business rules), by the responsible user, held day;
      bookings, contracts, payment_deals
                     deals entering a stage the rules map to the event for the first time (real
                     entries), by the deal's responsible user, entry day;
      units, deal_value, area_m2
                     won deals by CLOSEDATE and responsible user, count / amount in the account
                     currency / area (Bitrix24's sales-target semantics, reference §7.8);
      payments       paid invoices by payment day and the invoice's responsible user;
      lost_deals     deals lost, by CLOSEDATE (conversion = units / (units + lost_deals));
      area_deal_value
                     amount of the won deals that have an area (price per m² = it / area_m2).
    Deleted records and recurring-deal templates do not count; a won deal without an amount adds
    0 to deal_value.

    The sums of int_business_fact_records (each record's rows) per grain, incremental by delta: a
    run adds the rows that model wrote since and subtracts those it replaced
    (macros/sums_over_retired_rows.sql). fact_count says how many rows a group sums.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='business_facts_daily_key',
        on_schema_change='sync_all_columns',
        post_hook="{{ sums_over_retired_rows_post_hook(ref('int_business_fact_records'), 'fact_count') }}",
    )
}}

{{ sums_over_retired_rows(
    ref('int_business_fact_records'),
    grain=[
        ['portal_id', 'portal_id'],
        ['user_id', 'user_id'],
        ['pipeline_id', 'pipeline_id'],
        ['payment_form', 'payment_form'],
        ['sales_channel', 'sales_channel'],
        ['fact_date', 'fact_date'],
        ['metric', 'metric'],
    ],
    measures=[
        ['fact_value', 'coalesce(fact_value, 0)', 'decimal(38, 4)'],
        ['fact_count', '1', 'bigint'],
    ],
    key_name='business_facts_daily_key',
) }}
