{#
    The open pipeline as it stood at the end of every day: open deals and their amount (account
    currency) per day × portal × pipeline × stage, so the stage distribution on any day, and the
    progression between any two days, can be read off. A deal is open on day d at the stage of its
    latest real stage entry entered on or before d (portal-local dates), while that stage is a
    process stage. Days run from the portal's first to its last real deal stage entry.

    Each real entry is a span [entered_date, left_date) — left_date is the next real entry's date —
    and spans are range-joined to the calendar: the work is the number of open deal-days, never
    days × all deals. The amount is the deal's current amount (the API keeps no amount history).
    A full rebuild; to make it incremental, restrict `days` to the days to rebuild.
#}
with

stage_entries as (

    select
        portal_id,
        owner_id,
        event_id,
        pipeline_id,
        stage_id,
        stage_key,
        stage_semantics,
        amount_account,
        entered_date,
        entered_at
    from {{ ref('funnel_stage_entries') }}
    where entity_type = 'deal'
        and not is_supposed

),

calendar as (

    select date_day from {{ ref('dim_dates') }}

),

stages as (

    select * from {{ ref('dim_stages') }}

),

portal_ranges as (

    select
        portal_id,
        min(entered_date) as first_date,
        max(entered_date) as last_date
    from stage_entries
    group by portal_id

),

spans as (

    select
        *,
        lead(entered_date) over (
            partition by portal_id, owner_id
            order by entered_at, event_id
        ) as left_date
    from stage_entries

),

{# process-stage spans that last at least one day; still-open ones end after the portal's last day #}
open_spans as (

    select
        spans.portal_id,
        spans.owner_id,
        spans.pipeline_id,
        spans.stage_id,
        spans.stage_key,
        spans.amount_account,
        spans.entered_date,
        coalesce(
            spans.left_date,
            cast({{ dbt.dateadd('day', 1, 'portal_ranges.last_date') }} as date)
        ) as left_date
    from spans
    inner join portal_ranges
        on spans.portal_id = portal_ranges.portal_id
    where spans.stage_semantics = 'process'
        and (spans.left_date is null or spans.left_date > spans.entered_date)

),

days as (

    select calendar.date_day
    from calendar
    where calendar.date_day >= (select min(first_date) from portal_ranges)
        and calendar.date_day <= (select max(last_date) from portal_ranges)

),

open_deal_days as (

    select
        open_spans.portal_id,
        open_spans.pipeline_id,
        open_spans.stage_id,
        open_spans.stage_key,
        days.date_day,
        count(*) as open_deal_count,
        sum(open_spans.amount_account) as open_amount_account
    from open_spans
    inner join days
        on open_spans.entered_date <= days.date_day
        and days.date_day < open_spans.left_date
    group by
        open_spans.portal_id,
        open_spans.pipeline_id,
        open_spans.stage_id,
        open_spans.stage_key,
        days.date_day

),

final as (

    select
        open_deal_days.stage_key || ':' || cast(open_deal_days.date_day as {{ dbt.type_string() }})
            as pipeline_snapshot_key,
        open_deal_days.portal_id,
        open_deal_days.pipeline_id,
        open_deal_days.stage_id,
        open_deal_days.stage_key,
        stages.pipeline_name,
        stages.stage_name,
        stages.stage_position,
        open_deal_days.open_deal_count,
        open_deal_days.open_amount_account,
        open_deal_days.date_day as snapshot_date
    from open_deal_days
    left join stages
        on open_deal_days.stage_key = stages.stage_key

)

select * from final
