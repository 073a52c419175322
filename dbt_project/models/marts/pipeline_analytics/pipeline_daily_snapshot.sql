{#
    The open pipeline as it stood at the end of every day: open deals and their amount (account
    currency) per day × portal × pipeline × stage, so the stage distribution on any day, and the
    progression between any two days, can be read off. A deal is open on day d at the stage of its
    latest real stage entry entered on or before d (portal-local dates), while that stage is a
    process stage. Days run from the portal's first to its last real deal stage entry.

    Each real entry is a span [entered_date, left_date) — left_date is the next real entry's date
    (funnel_stage_entries).
    A span adds one deal (and its amount) to its stage on entered_date and takes it away on
    left_date; running sums of these edges per stage give the open deals after each edge, valid
    until the stage's next edge. The work grows with the number of spans, never with deals × days.
    The amount is the deal's current amount (the API keeps no amount history).
#}
with

stage_entries as not materialized (

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
        left_date
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

{# process-stage spans that last at least one day; still-open ones end after the portal's last day #}
open_spans as not materialized (

    select
        stage_entries.portal_id,
        stage_entries.owner_id,
        stage_entries.pipeline_id,
        stage_entries.stage_id,
        stage_entries.stage_key,
        stage_entries.amount_account,
        stage_entries.entered_date,
        coalesce(
            stage_entries.left_date,
            cast({{ dbt.dateadd('day', 1, 'portal_ranges.last_date') }} as date)
        ) as left_date
    from stage_entries
    inner join portal_ranges
        on stage_entries.portal_id = portal_ranges.portal_id
    where stage_entries.stage_semantics = 'process'
        and (stage_entries.left_date is null or stage_entries.left_date > stage_entries.entered_date)

),

days as (

    select calendar.date_day
    from calendar
    where calendar.date_day >= (select min(first_date) from portal_ranges)
        and calendar.date_day <= (select max(last_date) from portal_ranges)

),

span_edges as (

    select
        portal_id, pipeline_id, stage_id, stage_key,
        entered_date as edge_date,
        1 as deal_delta,
        amount_account as amount_delta,
        case when amount_account is null then 0 else 1 end as known_amount_delta
    from open_spans

    union all

    select
        portal_id, pipeline_id, stage_id, stage_key,
        left_date as edge_date,
        -1 as deal_delta,
        -amount_account as amount_delta,
        case when amount_account is null then 0 else -1 end as known_amount_delta
    from open_spans

),

edge_totals as (

    select
        portal_id, pipeline_id, stage_id, stage_key, edge_date,
        sum(deal_delta) as deal_delta,
        sum(amount_delta) as amount_delta,
        sum(known_amount_delta) as known_amount_delta
    from span_edges
    group by portal_id, pipeline_id, stage_id, stage_key, edge_date

),

{# the stage's open deals from one edge until its next edge #}
stage_levels as (

    select
        portal_id, pipeline_id, stage_id, stage_key,
        edge_date as level_from,
        lead(edge_date) over (partition by portal_id, stage_key order by edge_date) as level_until,
        cast(sum(deal_delta) over (
            partition by portal_id, stage_key order by edge_date rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as open_deal_count,
        sum(amount_delta) over (
            partition by portal_id, stage_key order by edge_date rows between unbounded preceding and current row
        ) as open_amount_account,
        {# sum() over no known amounts is NULL, as in a plain sum of NULL amounts #}
        sum(known_amount_delta) over (
            partition by portal_id, stage_key order by edge_date rows between unbounded preceding and current row
        ) as known_amount_count
    from edge_totals

),

open_deal_days as (

    select
        stage_levels.portal_id,
        stage_levels.pipeline_id,
        stage_levels.stage_id,
        stage_levels.stage_key,
        days.date_day,
        stage_levels.open_deal_count,
        case when stage_levels.known_amount_count > 0 then stage_levels.open_amount_account end
            as open_amount_account
    from stage_levels
    inner join days
        on stage_levels.level_from <= days.date_day
        and days.date_day < stage_levels.level_until
    where stage_levels.open_deal_count > 0

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
