"""Plan/fact, activity, profitability and data-quality marts on the hand-written plan/fact portal
equal the figures worked out by hand.

The portal (tests/fixtures/portals/planfact, cases and arithmetic in its README.md): March 2025 of
Maria (furniture, user 2) and Anna (real estate, user 4), plans in inputs/sales_plans.csv, and a
working calendar whose only holiday is Monday 10 March — so March has 20 working days, April 22.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import duckdb
import pytest


@pytest.fixture(scope="module")
def con(planfact_warehouse):
    connection = duckdb.connect(str(planfact_warehouse), read_only=True)
    yield connection
    connection.close()


def rows(con, sql: str, *params) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def test_working_calendar_takes_the_holiday_out(con):
    assert rows(con, "select month_start, max(working_days_in_month) from marts.dim_dates "
                     "where date_day between '2025-03-01' and '2025-04-30' group by 1 order by 1") == [
        (date(2025, 3, 1), 20), (date(2025, 4, 1), 22)]
    assert rows(con, "select is_working_day, holiday_name, working_days_elapsed_in_month, working_day_of_month "
                     "from marts.dim_dates where date_day in ('2025-03-07', '2025-03-10', '2025-03-11') "
                     "order by date_day") == [
        (True, None, 5, 5), (False, "Women's Day (transferred)", 5, None), (True, None, 6, 6)]


def test_daily_plan_month_to_date_pace_and_projection(con):
    # Maria's deal_value plan: 400,000 over 20 working days = 20,000 a working day. Won: D1 100,000
    # on 03-05 (3rd working day), D2 150,000 on 03-12 (7th). The holiday has no plan, keeps its facts.
    assert rows(con, """
        select plan_date, is_working_day, working_days_elapsed_in_month, daily_plan, fact_value, mtd_plan,
               mtd_fact, pace_pct, projected_fact, projected_fulfilment_pct
        from marts.activity_plan_fact_daily
        where user_id = 2 and metric = 'deal_value'
          and plan_date in ('2025-03-05', '2025-03-10', '2025-03-12', '2025-03-31')
        order by plan_date""") == [
        (date(2025, 3, 5), True, 3, D("20000"), D("100000"), D("60000"), D("100000"), D("166.7"), D("666666.6667"), D("166.7")),
        (date(2025, 3, 10), False, 5, D("0"), D("0"), D("100000"), D("100000"), D("100.0"), D("400000"), D("100.0")),
        (date(2025, 3, 12), True, 7, D("20000"), D("150000"), D("140000"), D("250000"), D("178.6"), D("714285.7143"), D("178.6")),
        (date(2025, 3, 31), True, 20, D("20000"), D("0"), D("400000"), D("250000"), D("62.5"), D("250000"), D("62.5")),
    ]


def test_daily_facts_per_manager_and_metric(con):
    # Maria: leads L1-L3 (one on the holiday, one on a Saturday), calls A1 A2 (A3 and A5 not done),
    # meeting A4, D2 entered PREPAYMENT_INVOICE (a payment stage), D1 D2 won, invoice 1 paid.
    # Anna: lead L4, showings A6 A8, meeting A7, D4 D5 booked, D4 contract, payment stage and won
    # (60 m²), invoices 2 and 3 paid.
    assert rows(con, """
        select user_id, metric, sum(fact_value), count(distinct plan_date)
        from marts.activity_plan_fact_daily where month_start = '2025-03-01'
        group by 1, 2 order by 1, 2""") == [
        (2, "calls", D("2"), 31), (2, "deal_value", D("250000"), 31), (2, "leads", D("3"), 31),
        (2, "meetings", D("1"), 31), (2, "payment_deals", D("1"), 31), (2, "payments", D("100000"), 31),
        (2, "units", D("2"), 31),
        (4, "area_m2", D("60"), 31), (4, "bookings", D("2"), 31), (4, "contracts", D("1"), 31),
        (4, "deal_value", D("6000000"), 31), (4, "leads", D("1"), 31), (4, "meetings", D("1"), 31),
        (4, "payment_deals", D("1"), 31), (4, "payments", D("1300000"), 31), (4, "showings", D("2"), 31),
        (4, "units", D("1"), 31),
    ]
    # a fact without a plan keeps a NULL plan
    assert rows(con, "select distinct monthly_plan, daily_plan from marts.activity_plan_fact_daily "
                     "where user_id = 2 and metric = 'payments'") == [(None, None)]


@pytest.mark.parametrize("scope, scope_id, period_type, period_start, metric, breakdown, value, expected", [
    ("manager", "2", "month", "2025-03-01", "deal_value", "total", "all", (D("400000"), "given", D("250000"), D("62.5"))),
    ("manager", "2", "month", "2025-03-01", "units", "total", "all", (D("4"), "given", D("2"), D("50.0"))),
    ("manager", "2", "month", "2025-03-01", "conversion_pct", "total", "all", (None, None, D("66.7"), None)),
    ("manager", "4", "month", "2025-03-01", "price_per_m2", "total", "all", (D("100000"), "given", D("100000"), D("100.0"))),
    ("manager", "4", "month", "2025-03-01", "payments", "total", "all", (D("2000000"), "given", D("1300000"), D("65.0"))),
    ("manager", "4", "month", "2025-03-01", "showings", "total", "all", (D("8"), "given", D("2"), D("25.0"))),
    ("department", "2", "month", "2025-03-01", "deal_value", "total", "all", (D("400000"), "sum_of_managers", D("250000"), D("62.5"))),
    ("department", "3", "month", "2025-03-01", "units", "total", "all", (D("3"), "given", D("1"), D("33.3"))),
    ("pipeline", "1", "month", "2025-03-01", "deal_value", "total", "all", (D("12000000"), "given", D("6000000"), D("50.0"))),
    ("pipeline", "0", "month", "2025-03-01", "deal_value", "total", "all", (None, None, D("250000"), None)),
    ("company", None, "month", "2025-03-01", "deal_value", "total", "all", (D("10400000"), "sum_of_managers", D("6250000"), D("60.1"))),
    ("company", None, "month", "2025-03-01", "conversion_pct", "total", "all", (None, None, D("75.0"), None)),
    ("company", None, "month", "2025-03-01", "deal_value", "payment_form", "Mortgage", (None, None, D("6000000"), None)),
    ("company", None, "month", "2025-03-01", "deal_value", "sales_channel", "Direct", (None, None, D("250000"), None)),
    ("company", None, "quarter", "2025-01-01", "deal_value", "total", "all", (D("10400000"), "sum_of_managers", D("6250000"), D("60.1"))),
    ("company", None, "half", "2025-01-01", "deal_value", "total", "all", (D("22400000"), "sum_of_managers", D("6250000"), D("27.9"))),
    ("company", None, "month", "2025-04-01", "deal_value", "total", "all", (D("12000000"), "sum_of_managers", D("0"), D("0.0"))),
])
def test_sales_plan_fulfilment(con, scope, scope_id, period_type, period_start, metric, breakdown, value, expected):
    found = rows(con, """
        select plan_value, plan_source, fact_value, fulfilment_pct from marts.sales_plan_fulfilment
        where scope = ? and coalesce(scope_id, '') = coalesce(?, '') and period_type = ? and period_start = ?
          and metric = ? and breakdown = ? and breakdown_value = ?""",
                 scope, scope_id, period_type, period_start, metric, breakdown, value)
    assert found == [expected]


def test_required_daily_activities(con):
    # Anna's April plan 12,000,000. Twelve months before April: 1 won deal of 6,000,000, 2 bookings,
    # 3 meetings and showings, 1 lead -> 2 deals, 4 bookings, 6 meetings, 2 leads; / 22 working days.
    assert rows(con, """
        select rates_source, average_deal_value, won_per_booking, bookings_per_meeting, meetings_per_lead,
               deals_needed, bookings_needed, meetings_needed, leads_needed, deals_per_working_day,
               bookings_per_working_day, meetings_per_working_day, leads_per_working_day
        from marts.required_daily_activities where user_id = 4 and month_start = '2025-04-01'""") == [
        ("manager", D("6000000"), D("0.5"), D("0.6667"), D("3"), D("2"), D("4"), D("6"), D("2"),
         D("0.09"), D("0.18"), D("0.27"), D("0.09"))]
    # March plans have no history before them: nothing to measure rates on
    assert rows(con, "select user_id, rates_source, deals_needed from marts.required_daily_activities "
                     "where month_start = '2025-03-01' order by 1") == [(2, "portal", None), (4, "portal", None)]


def test_activity_overview(con):
    assert rows(con, """
        select user_id, activity_date, activity_type, planned_count, planned_done_count, open_count, overdue_count,
               done_count
        from marts.activity_overview order by 1, 2, 3""") == [
        (2, date(2025, 3, 3), "call", 1, 1, 0, 0, 1),
        (2, date(2025, 3, 4), "call", 1, 1, 0, 0, 1),
        (2, date(2025, 3, 4), "meeting", 1, 1, 0, 0, 1),
        (2, date(2025, 3, 10), "call", 1, 0, 0, 1, 0),
        (2, date(2025, 3, 21), "call", 1, 0, 0, 1, 0),
        (4, date(2025, 3, 4), "meeting", 1, 1, 0, 0, 1),
        (4, date(2025, 3, 6), "meeting", 1, 1, 0, 0, 1),
        (4, date(2025, 3, 10), "meeting", 1, 1, 0, 0, 1),
        (4, date(2025, 3, 12), "email", 1, 1, 0, 0, 1),
    ]


def test_call_stats(con):
    assert rows(con, """
        select user_id, call_date, call_hour, call_count, incoming_count, outgoing_count, answered_count,
               missed_count, failed_count, total_duration_seconds, average_answered_duration_seconds,
               billed_minutes
        from marts.call_stats order by call_date, call_hour""") == [
        (2, date(2025, 3, 3), 11, 1, 0, 1, 1, 0, 0, 95, D("95.0"), 2),
        (2, date(2025, 3, 4), 11, 1, 0, 1, 1, 0, 0, 125, D("125.0"), 3),
        (2, date(2025, 3, 10), 10, 1, 1, 0, 0, 1, 0, 0, None, 0),
    ]


def test_deal_profitability(con):
    # D1: 100,000 - 55,000; call 95 s = 2 minutes x 20. D2: (80,000 - 5,000) x 2 - 40,000 x 2; call 125 s
    # = 3 minutes x 20 + meeting 2,500. D4: 60 m² x 100,000 - 60 x 71,000; 2 meetings + 1 e-mail.
    assert rows(con, """
        select deal_id, revenue_source, revenue, cost_of_goods, gross_margin, gross_margin_pct, activity_count,
               billed_call_minutes, cost_to_serve, net_margin, net_margin_pct
        from marts.deal_profitability order by deal_id""") == [
        (1, "product_rows", D("100000"), D("55000"), D("45000"), D("45.0"), 1, 2, D("40"), D("44960"), D("45.0")),
        (2, "product_rows", D("150000"), D("80000"), D("70000"), D("46.7"), 2, 3, D("2560"), D("67440"), D("45.0")),
        (4, "product_rows", D("6000000"), D("4260000"), D("1740000"), D("29.0"), 3, 0, D("5050"), D("1734950"), D("28.9")),
    ]


def test_customer_profitability_and_monthly_pnl(con):
    assert rows(con, """
        select customer_key, won_deal_count, revenue, cost_of_goods, gross_margin, cost_to_serve, net_margin,
               net_margin_pct
        from marts.customer_profitability order by customer_key""") == [
        ("127.0.0.1:contact:1", 2, D("250000"), D("135000"), D("115000"), D("2600"), D("112400"), D("45.0")),
        ("127.0.0.1:contact:2", 1, D("6000000"), D("4260000"), D("1740000"), D("5050"), D("1734950"), D("28.9")),
    ]
    # the P&L charges the month's completed activities, also those of deals not won (Anna's showing on D5)
    assert rows(con, """
        select month_start, user_id, won_deal_count, revenue, cost_of_goods, gross_margin, activity_count,
               cost_to_serve, net_margin, net_margin_pct
        from marts.pnl_monthly order by month_start, user_id""") == [
        (date(2025, 3, 1), 2, 2, D("250000"), D("135000"), D("115000"), 3, D("2600"), D("112400"), D("45.0")),
        (date(2025, 3, 1), 4, 1, D("6000000"), D("4260000"), D("1740000"), 4, D("7550"), D("1732450"), D("28.9")),
    ]


def test_data_quality_records(con):
    assert rows(con, "select entity_type, record_id, rule_name, detail, assigned_user_id "
                     "from marts.data_quality_records order by 1, 2, 3") == [
        ("contact", 2, "duplicate_contact_phone", "same as contact 1", 4),
        ("contact", 3, "missing_email", None, 5),
        ("contact", 3, "missing_phone", None, 5),
        ("contact", 3, "owned_by_deactivated_user", "Ivan Belov", 5),
        ("deal", 3, "deal_without_contact_or_company", None, 2),
        ("deal", 3, "missing_source", None, 2),
        ("deal", 6, "missing_amount", None, 5),
        ("deal", 6, "owned_by_deactivated_user", "Ivan Belov", 5),
        ("deal", 6, "stage_history_disagrees", "history ends in NEW, deal is in PREPARATION", 5),
        ("lead", 2, "missing_email", None, 2),
        ("lead", 2, "missing_phone", None, 2),
        ("lead", 3, "lead_without_status_history", None, 2),
        ("lead", 3, "missing_source", None, 2),
    ]


def test_data_quality_summary(con):
    # Maria owns 3 leads (L2 lacks phone and e-mail, L3 a source and history) and 3 deals (D3 fails two rules)
    assert rows(con, """
        select entity_type, rule_name, failing_count, records_count, failing_share_pct
        from marts.data_quality_summary where assigned_user_id = 2 and failing_count > 0 order by 1, 2""") == [
        ("deal", "deal_without_contact_or_company", 1, 3, D("33.3")),
        ("deal", "missing_source", 1, 3, D("33.3")),
        ("lead", "lead_without_status_history", 1, 3, D("33.3")),
        ("lead", "missing_email", 1, 3, D("33.3")),
        ("lead", "missing_phone", 1, 3, D("33.3")),
        ("lead", "missing_source", 1, 3, D("33.3")),
    ]
    # every rule of an entity has a row for each owner of that entity, zero when clean
    assert rows(con, "select count(*), sum(failing_count) from marts.data_quality_summary "
                     "where entity_type = 'deal' and assigned_user_id = 4") == [(6, 0)]
    assert rows(con, "select count(distinct snapshot_date), max(previous_snapshot_date) "
                     "from marts.data_quality_summary") == [(1, None)]
