"""Funnel and sales marts on the hand-written funnel portal equal the figures worked out by hand.

The portal (tests/fixtures/portals/funnel, cases in its README.md) has one deal or lead per
transition kind of reference §7.1; every expected number below follows from the rules of
§7.1–7.9 applied by hand to those few records, not from running the models.
"""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from expectations.gates import run_gate
from expectations.suites.marts import INVARIANTS, invariant_query
from pipelines.warehouse import WarehouseConfig

DEAL_STAGES = ["NEW", "PREPARATION", "PREPAYMENT_INVOICE", "EXECUTING", "WON", "LOSE", "APOLOGY"]
LEAD_STAGES = ["NEW", "IN_PROCESS", "PROCESSED", "JUNK", "CONVERTED"]  # CONVERTED shown last (§7.3)


@pytest.fixture(scope="module")
def con(funnel_warehouse):
    connection = duckdb.connect(str(funnel_warehouse), read_only=True)
    yield connection
    connection.close()


def funnel(con, table: str, period: str, mode: str, pipeline: int | None = None) -> tuple[list[int], int]:
    entity = "deal" if table == "deal_funnel_by_period" else "lead"
    where = f"period_label = '{period}' and funnel_mode = '{mode}'"
    if pipeline is not None:
        where += f" and pipeline_id = {pipeline}"
    rows = con.execute(f"select stage_id, {entity}_count, total_{entity}_count from marts.{table} "
                       f"where {where} order by funnel_position").fetchall()
    assert len({row[2] for row in rows}) == 1
    return [row[1] for row in rows], rows[0][2]


# Pipeline 0, counts per stage in DEAL_STAGES order and the funnel total (distinct deals).
# Jan: real entries D1 NEW/PREPARATION/WON, D2 EXECUTING (created there), D3 NEW, D7 NEW, D8 NEW/LOSE;
#      D2's NEW..PREPAYMENT_INVOICE and D1's PREPAYMENT_INVOICE/EXECUTING are supposed.
# Feb: D1 and D8 closed in January (CLOSE_DATE < Feb 1: out, though D8 was won on Feb 20);
#      D3 closed Feb 1 (in), D4 created won (all process stages supposed), D5 created lost
#      (supposed NEW only), D6 NEW → EXECUTING → back to PREPARATION, D7 won, D9 won.
# Mar: D9 reopened Mar 5 (CLOSE_DATE back to 3000-12-12) still counts in WON — non-monotonic, as
#      in the portal; D7 lost on Mar 3 has CLOSE_DATE Feb 15 (S → F keeps it): out of March.
DEAL_FUNNELS = {
    ("2025-01", "classic"): ([4, 1, 0, 1, 1, 1, 0], 5),
    ("2025-01", "conversion"): ([5, 2, 2, 2, 1, 1, 0], 5),
    ("2025-02", "classic"): ([4, 1, 0, 2, 3, 2, 0], 7),
    ("2025-02", "conversion"): ([7, 5, 5, 5, 3, 2, 0], 7),
    ("2025-03", "classic"): ([4, 2, 0, 3, 2, 1, 1], 5),
    ("2025-03", "conversion"): ([5, 4, 4, 4, 2, 1, 1], 5),
    ("2025-Q1", "classic"): ([8, 3, 0, 3, 6, 5, 1], 11),
    ("2025-Q1", "conversion"): ([11, 7, 7, 7, 6, 5, 1], 11),
}


@pytest.mark.parametrize(("period", "mode"), DEAL_FUNNELS)
def test_deal_funnel_counts(con, period, mode):
    assert funnel(con, "deal_funnel_by_period", period, mode, pipeline=0) == DEAL_FUNNELS[period, mode]


def test_deal_funnel_after_a_pipeline_change_has_no_supposed_first_stage(con):
    # D10 moved from pipeline 0 to C1:VIEWING (one real row, nothing supposed), then won (C1:BOOKED
    # supposed); D11 created in C1:NEW, forward to C1:BOOKED (C1:VIEWING supposed), lost in April.
    assert funnel(con, "deal_funnel_by_period", "2025-03", "classic", pipeline=1) == ([1, 1, 1, 1, 0], 2)
    assert funnel(con, "deal_funnel_by_period", "2025-03", "conversion", pipeline=1) == ([1, 2, 2, 1, 0], 2)


def test_deal_funnel_amounts_spent_time_and_conversion(con):
    rows = {row[0]: row[1:] for row in con.execute(
        "select stage_id, amount_account, average_spent_seconds, conversion_pct, total_amount_account "
        "from marts.deal_funnel_by_period where period_label = '2025-01' and funnel_mode = 'classic' "
        "and pipeline_id = 0").fetchall()}
    # NEW: D1 100,000 + D3 30,000 + D7 40,000 + D8 60,000. Seconds in NEW: D1 5 days (432,000),
    # D3 Jan 5 09:00 → Feb 1 01:30 (2,305,800), D7 26 days (2,246,400), D8 17 days (1,468,800):
    # 6,453,000 / 4 = 1,613,250. Conversion 4 of 5 deals = 80%.
    assert rows["NEW"][:3] == (Decimal("230000.00"), 1613250, 80.0)
    # WON has no average (final stages show none); 1 of 5 deals.
    assert rows["WON"][:3] == (Decimal("100000.00"), None, 20.0)
    # D2 is 1,000 USD at 90.0000 = 90,000; total = D1 + D2 + D3 + D7 + D8.
    assert rows["EXECUTING"][0] == Decimal("90000.00")
    assert rows["NEW"][3] == Decimal("320000.00")
    # Pipeline 1 in March: D10 is 5,000,000 KZT at 18.94 per 100 = 947,000; D11 3,000,000.
    total = con.execute("select max(total_amount_account) from marts.deal_funnel_by_period "
                        "where period_label = '2025-03' and pipeline_id = 1").fetchone()[0]
    assert total == Decimal("3947000.00")


def test_every_stage_present_with_zero(con):
    counts = con.execute("select count(*), count(distinct stage_id), sum(deal_count) from marts.deal_funnel_by_period "
                         "where period_label = '2025-01' and pipeline_id = 1").fetchone()
    assert counts == (10, 5, 0)  # 5 stages x 2 modes, nothing entered in January


# Leads; Jan: L1 NEW → IN_PROCESS → CONVERTED (PROCESSED supposed), L2 NEW → JUNK, L6 created in
# IN_PROCESS (NEW supposed). Feb: L3 created in PROCESSED, L4 NEW → CONVERTED, L6 still open in Feb.
# Mar: L3, L5 (NEW), L6 junk on Mar 2.
LEAD_FUNNELS = {
    ("2025-01", "classic"): ([2, 2, 0, 1, 1], 3),
    ("2025-01", "conversion"): ([3, 2, 1, 1, 1], 3),
    ("2025-02", "classic"): ([1, 1, 1, 0, 1], 3),
    ("2025-02", "conversion"): ([3, 3, 2, 0, 1], 3),
    ("2025-03", "classic"): ([1, 1, 1, 1, 0], 3),
    ("2025-03", "conversion"): ([3, 2, 1, 1, 0], 3),
}


@pytest.mark.parametrize(("period", "mode"), LEAD_FUNNELS)
def test_lead_funnel_counts(con, period, mode):
    assert funnel(con, "lead_funnel_by_period", period, mode) == LEAD_FUNNELS[period, mode]


def test_lead_funnel_shows_converted_last(con):
    stages = [row[0] for row in con.execute(
        "select stage_id from marts.lead_funnel_by_period where period_label = '2025-01' "
        "and funnel_mode = 'classic' order by funnel_position").fetchall()]
    assert stages == LEAD_STAGES


def test_sales_funnel_hides_only_the_literal_won_column(con):
    series = con.execute(
        "select series, pipeline_id, string_agg(stage_id || '=' || item_count, ' ' order by funnel_position) "
        "from marts.sales_funnel_by_period where period_label = '2025-02' and funnel_mode = 'classic' "
        "group by all order by 1, 2").fetchall()
    assert series == [
        ("deals", 0, "NEW=4 PREPARATION=1 PREPAYMENT_INVOICE=0 EXECUTING=2 LOSE=2 APOLOGY=0"),
        ("deals", 1, "C1:NEW=0 C1:VIEWING=0 C1:BOOKED=0 C1:WON=0 C1:LOSE=0"),  # C1:WON stays (§7.3 quirk)
        ("leads", None, "NEW=1 IN_PROCESS=1 PROCESSED=1 JUNK=0 CONVERTED=1"),
        ("won_deals", 0, "WON=3"),
        ("won_deals", 1, "C1:WON=0"),
    ]


def test_lead_employee_performance(con):
    rows = con.execute(
        "select assigned_user_id, customer_scope, active_lead_count, converted_lead_count, junk_lead_count, "
        "lost_pct, conversion_pct from marts.lead_employee_performance_by_period "
        "where period_label = '2025-Q1' order by 1, 2").fetchall()
    # Q1, classic: Maria (2) has L1 (converted), L2 (junk), L5 (open), all initial; Oleg (3) has
    # L3 and L4 (repeat; L4 converted) and L6 (initial, junk).
    assert rows == [
        (2, "all", 3, 1, 1, 33.33, 33.33),
        (2, "initial", 3, 1, 1, 33.33, 33.33),
        (3, "all", 3, 1, 1, 33.33, 33.33),
        (3, "initial", 1, 0, 1, 100.0, 0.0),
        (3, "repeat", 2, 1, 0, 0.0, 50.0),
    ]


def test_sales_employee_performance(con):
    rows = con.execute(
        "select funnel_mode, assigned_user_id, lead_count, deal_count, lost_deal_count, deal_amount_account, "
        "won_deal_count, won_amount_account, conversion_pct from marts.sales_employee_performance_by_period "
        "where period_label = '2025-02' and pipeline_id = 0 order by 1, 2").fetchall()
    # February, pipeline 0: Maria (2) — deals D3 (lost), D5 (lost), D7 (won), D9 (won); leads: none in
    # February (L1, L2 closed in January, L5 starts in March). Oleg (3) — D2, D4 (won), D6; leads L3,
    # L4, L6. In classic mode D2 counts through its real EXECUTING entry; same sets in both modes.
    expected_maria = (0, 4, 2, Decimal("160000.00"), 2, Decimal("120000.00"), 50.0)
    expected_oleg = (3, 3, 0, Decimal("360000.00"), 1, Decimal("200000.00"), 33.33)
    assert rows == [("classic", 2, *expected_maria), ("classic", 3, *expected_oleg),
                    ("conversion", 2, *expected_maria), ("conversion", 3, *expected_oleg)]


def test_sales_trends(con):
    rows = {row[0]: row[1:] for row in con.execute(
        "select period_label, won_deal_count, won_amount_account, lost_deal_count, lost_amount_account, "
        "in_work_deal_count, conversion_pct, losses_pct, previous_won_amount_account, dynamics_pct, dynamics_label "
        "from marts.sales_trends_by_period where period_type = 'month' and pipeline_id = 0 "
        "and assigned_user_id = 3 and customer_scope = 'all'").fetchall()}
    # Oleg by CLOSEDATE: Jan D8 won (60,000; CLOSEDATE Jan 25 stays from its first close); Feb D4 won
    # (200,000); Mar D13 won (120,000). In work (created <= end, CLOSEDATE >= start): Jan D2, D8; Feb D2,
    # D4, D6; Mar D2, D6, D13. Dynamics Feb: 200,000 / 60,000 − 1 = 233.33% (excellent); Mar: −40% (bad).
    assert rows["2025-01"] == (1, Decimal("60000.00"), 0, Decimal("0.00"), 2, 50.0, 0.0, Decimal("0.00"), None, None)
    assert rows["2025-02"] == (1, Decimal("200000.00"), 0, Decimal("0.00"), 3, 33.33, 0.0, Decimal("60000.00"),
                               233.33, "excellent")
    assert rows["2025-03"] == (1, Decimal("120000.00"), 0, Decimal("0.00"), 3, 33.33, 0.0, Decimal("200000.00"),
                               -40.0, "bad")


def test_sales_trends_initial_and_repeat(con):
    rows = con.execute(
        "select customer_scope, won_amount_account from marts.sales_trends_by_period where period_label = '2025-Q1' "
        "and pipeline_id = 0 and assigned_user_id = 3 order by 1").fetchall()
    # Oleg's won deals in Q1: D4 200,000 and D8 60,000 are repeat, D13 120,000 is repeat; none initial.
    assert rows == [("all", Decimal("380000.00")), ("initial", Decimal("0.00")), ("repeat", Decimal("380000.00"))]


def test_period_comparison(con):
    rows = con.execute(
        "select bucket_number, won_amount_account, previous_won_amount_account from marts.sales_period_comparison "
        "where period_label = '2025-03' and pipeline_id = 0 order by 1").fetchall()
    # March's won deals by CLOSEDATE: D13 on the 25th; February's: D4 on the 10th (D7 and D9 are no
    # longer won, so not counted).
    assert rows == [(10, Decimal("0.00"), Decimal("200000.00")), (25, Decimal("120000.00"), Decimal("0.00"))]


def test_top_clients(con):
    rows = con.execute(
        "select period_label, client_rank, customer_key, won_deal_count, won_amount_account, total_deal_count, "
        "cast(previous_period_start as varchar), previous_won_amount_account from marts.top_clients_by_period "
        "where period_type = 'month' and pipeline_id = 0 order by 1, 2").fetchall()
    # Won by CLOSEDATE: Jan D1 (company 1) and D8 (no company: contact 2); Feb D4 (company 2); Mar D13
    # (company 2). Previous period [start − (end − start), start]: for March 30 Jan – 1 Mar, holding
    # D4 (Feb 10). Company 1 has D1 and D7 in work in January.
    assert rows == [
        ("2025-01", 1, "127.0.0.1:company:1", 1, Decimal("100000.00"), 2, "2024-12-02", Decimal("0.00")),
        ("2025-01", 2, "127.0.0.1:contact:2", 1, Decimal("60000.00"), 2, "2024-12-02", Decimal("0.00")),
        ("2025-02", 1, "127.0.0.1:company:2", 1, Decimal("200000.00"), 1, "2025-01-05", Decimal("0.00")),
        ("2025-03", 1, "127.0.0.1:company:2", 1, Decimal("120000.00"), 1, "2025-01-30", Decimal("200000.00")),
    ]


def test_manager_rating(con):
    rows = con.execute(
        "select manager_rank, assigned_user_id, won_deal_count, won_amount_account, total_deal_count, "
        "total_amount_account, previous_won_amount_account from marts.manager_rating_by_period "
        "where period_label = '2025-02' and pipeline_id = 0 order by 1").fetchall()
    # In work in February (created <= Feb 28, CLOSEDATE >= Feb 1): Oleg D2 (90,000), D4 (won 200,000),
    # D6 (70,000); Maria D3, D5, D7 (now lost), D9 (reopened, open). Previous period 5 Jan – 1 Feb:
    # Oleg D2, D8 (won, CLOSEDATE Jan 25: 60,000); Maria D1 (won, 100,000), D3, D7.
    assert rows == [
        (1, 3, 1, Decimal("200000.00"), 3, Decimal("360000.00"), Decimal("60000.00")),
        (2, 2, 0, Decimal("0.00"), 4, Decimal("160000.00"), Decimal("100000.00")),
    ]


def tampered_reconciliation(funnel_warehouse, tmp_path, tamper: str, invariant: str) -> tuple[int, list]:
    """Run the marts gate on a copy of the funnel warehouse changed by `tamper`: the failure count of
    the invariant (expectations/marts_sql/<invariant>.sql) and the rows it returns (without portal_id)."""
    tampered = tmp_path / "warehouse.duckdb"
    shutil.copy(funnel_warehouse, tampered)
    with duckdb.connect(str(tampered)) as connection:
        connection.execute(tamper)
    result = run_gate(WarehouseConfig(duckdb_path=tampered), "marts")
    # an invariant broken is an error: the marts gate fails and the run would not publish
    assert not result.success
    failure = next(failure for failure in result.failures if failure.expectation == invariant.replace("_", " "))
    assert (failure.check, failure.table, failure.severity) == ("invariants", INVARIANTS[invariant], "error")
    with duckdb.connect(str(tampered), read_only=True) as connection:
        mismatches = connection.execute(
            f"select * exclude (portal_id) from ({invariant_query(invariant)}) order by all").fetchall()
    return failure.unexpected_count, mismatches


D13_CLOSES_BEFORE_IT_ENTERED = ("update marts.funnel_stage_entries set close_date = date '2025-02-20' "
                                "where owner_key = (select deal_key from marts.fct_deals where deal_id = 13)")


def test_reconciliation_tests_catch_a_deal_amount_the_marts_do_not_have(funnel_warehouse, tmp_path):
    failures, mismatches = tampered_reconciliation(
        funnel_warehouse, tmp_path, "update marts.fct_deals set amount_account = amount_account + 100 where deal_id = 13",
        "sales_sums_reconcile_with_fct_deals")
    # D13 (pipeline 0) won on 2025-03-25, entered the funnel on 03-03: its month, quarter and year
    # count it among the won deals (sales trends) and among the funnel's deals, both now 100 short
    assert failures == 6
    assert mismatches == [
        ("deal_funnel_by_period", period_type, period_start, 0, Decimal("-100.00"))
        for period_type, period_start in (("month", date(2025, 3, 1)), ("quarter", date(2025, 1, 1)),
                                          ("year", date(2025, 1, 1)))
    ] + [
        ("sales_trends_by_period", period_type, period_start, 0, Decimal("100.00"))
        for period_type, period_start in (("month", date(2025, 3, 1)), ("quarter", date(2025, 1, 1)),
                                          ("year", date(2025, 1, 1)))
    ]


def test_reconciliation_tests_catch_a_funnel_total_the_entries_do_not_have(funnel_warehouse, tmp_path):
    failures, mismatches = tampered_reconciliation(funnel_warehouse, tmp_path, D13_CLOSES_BEFORE_IT_ENTERED,
                                                   "funnel_totals_equal_distinct_items")
    # D13 (pipeline 0) entered on 03-03 and now closes on 02-20, before its first entry: no longer in
    # March (closed before its start), still in Q1 and 2025 (entered by their end, closed after their
    # start), never in February (entered after its end). The funnels, built before, count 5 in March.
    assert failures == 2
    assert mismatches == [
        ("deal", "month", date(2025, 3, 1), 0, "classic", 5, 4),
        ("deal", "month", date(2025, 3, 1), 0, "conversion", 5, 4),
    ]


def test_reconciliation_tests_catch_a_funnel_amount_of_a_deal_closed_before_it_entered(funnel_warehouse, tmp_path):
    failures, mismatches = tampered_reconciliation(funnel_warehouse, tmp_path, D13_CLOSES_BEFORE_IT_ENTERED,
                                                   "sales_sums_reconcile_with_fct_deals")
    # D13 (won, 120,000, entered 03-03) now closes on 02-20, before its first entry: out of March's
    # funnel amount, still in Q1's and 2025's (matched to them one by one); the trends read fct_deals
    assert failures == 1
    assert mismatches == [("deal_funnel_by_period", "month", date(2025, 3, 1), 0, Decimal("120000.00"))]
