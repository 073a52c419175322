"""Our own pipeline analytics marts (models/marts/pipeline_analytics) on the funnel portal.

Every expected number is worked out by hand from the fixture JSON (tests/fixtures/portals/funnel:
crm.deal.list.json, crm.stagehistory.list.deal.json, crm.activity.list.json, crm.currency.list.json),
not taken from running the models. The portal's zone is +03:00; D12 is a recurring template and is
in none of the marts. Pipeline 0's process stages are NEW, PREPARATION, PREPAYMENT_INVOICE,
EXECUTING (positions 1–4 of 4); amounts are in RUB (USD × 90, KZT × 18.94 / 100).
"""

from __future__ import annotations

import duckdb
import pytest


@pytest.fixture(scope="module")
def con(funnel_warehouse):
    connection = duckdb.connect(str(funnel_warehouse), read_only=True)
    yield connection
    connection.close()


def rows(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


# ---------------------------------------------------------------------------------- stage_durations

# Real stays in NEW of pipeline 0 that have been left (next real transition − entry), in seconds:
#   D1  01-10 09:00 → 01-15 09:00   5 d   432000   (user 2)
#   D3  01-05 09:00 → 02-01 01:30         2305800  (user 2)
#   D6  02-01 10:00 → 02-05 10:00   4 d   345600   (user 3)
#   D7  01-20 10:00 → 02-15 10:00  26 d  2246400   (user 2)
#   D8  01-08 10:00 → 01-25 10:00  17 d  1468800   (user 3)
#   D9  02-03 10:00 → 02-12 10:00   9 d   777600   (user 2)
#   D10 03-02 10:00 → 03-10 10:00   8 d   691200   (user 4; then moved to pipeline 1)
#   D13 03-03 10:00 → 03-04 10:00   1 d    86400   (user 3)
#   D14 03-10 10:00 → 03-12 10:00   2 d   172800   (user 5)
# D2 never really was in NEW (created in EXECUTING: NEW is supposed), D4/D5 neither; D12 recurring.
# 9 stays, sum 8526600, average 947400; sorted, the 5th of 9 is 691200 (D10).
def test_stage_durations_new_all_users(con):
    (row,) = rows(con, "select * from marts.stage_durations where entity_type = 'deal' "
                       "and pipeline_id = 0 and stage_id = 'NEW' and is_all_users")
    assert row["assigned_user_id"] is None
    assert row["stay_count"] == 9
    assert row["total_spent_seconds"] == 8526600
    assert row["avg_spent_seconds"] == pytest.approx(947400)
    assert row["median_spent_seconds"] == pytest.approx(691200)
    assert row["avg_spent_days"] == pytest.approx(947400 / 86400)
    assert row["median_spent_days"] == pytest.approx(8.0)
    assert row["stage_duration_key"].endswith(":deal:0:NEW:all")


# User 2 (Maria): D1 432000, D3 2305800, D7 2246400, D9 777600 → 4 stays, average 1440450,
# median of an even count = (777600 + 2246400) / 2 = 1512000. User 3: D6, D8, D13 → median 345600.
def test_stage_durations_new_per_user(con):
    by_user = {row["assigned_user_id"]: row for row in rows(
        con, "select * from marts.stage_durations where entity_type = 'deal' and pipeline_id = 0 "
             "and stage_id = 'NEW' and not is_all_users")}
    assert {user: row["stay_count"] for user, row in by_user.items()} == {2: 4, 3: 3, 4: 1, 5: 1}
    assert by_user[2]["avg_spent_seconds"] == pytest.approx(1440450)
    assert by_user[2]["median_spent_seconds"] == pytest.approx(1512000)
    assert by_user[2]["assigned_user_name"] == "Maria Sokolova"
    assert by_user[3]["median_spent_seconds"] == pytest.approx(345600)


# Stays still open (D2 in EXECUTING, D6/D9 in PREPARATION) and supposed rows do not count: EXECUTING
# holds D6 (02-05 → 02-10, 432000) and D13 (03-04 → 03-25, 1814400) only; a left final stage counts
# too: WON of D7 (02-15 → 03-03, 1382400) and D9 (02-12 → 03-05, 1814400).
def test_stage_durations_only_left_real_stays(con):
    result = {row["stage_id"]: (row["stay_count"], row["avg_spent_seconds"]) for row in rows(
        con, "select * from marts.stage_durations where entity_type = 'deal' and pipeline_id = 0 "
             "and is_all_users")}
    assert result["EXECUTING"] == (2, pytest.approx((432000 + 1814400) / 2))
    assert result["PREPARATION"] == (1, pytest.approx(432000))  # D1 only
    assert result["WON"] == (2, pytest.approx((1382400 + 1814400) / 2))
    assert "PREPAYMENT_INVOICE" not in result  # only ever supposed


# ------------------------------------------------------------------------------------- lost_reasons

# Deals now in a failure stage: D3 LOSE (user 2, CALL, 30000), D5 LOSE (user 2, WEB, 10000),
# D7 LOSE after a win (user 2, WEB, 40000), D14 APOLOGY (user 5, WEB, 15000), D11 C1:LOSE
# (pipeline 1, user 4, PARTNER, 3000000). D8 (lost, then won) is not lost now. The portal's
# lost-reason custom field is empty on every deal, so the reason is the failure stage's name.
def test_lost_reasons(con):
    result = {
        (row["pipeline_id"], row["stage_id"], row["assigned_user_id"], row["source_id"]):
            (row["lost_reason"], row["reason_source"], row["lost_deal_count"], float(row["lost_amount_account"]))
        for row in rows(con, "select * from marts.lost_reasons")
    }
    assert result == {
        (0, "LOSE", 2, "CALL"): ("Deal lost", "stage", 1, 30000.0),
        (0, "LOSE", 2, "WEB"): ("Deal lost", "stage", 2, 50000.0),
        (0, "APOLOGY", 5, "WEB"): ("Analyze failure", "stage", 1, 15000.0),
        (1, "C1:LOSE", 4, "PARTNER"): ("Deal lost", "stage", 1, 3000000.0),
    }


# -------------------------------------------------------------------------------------- sales_cycle

# Won deals of pipeline 0, days from the creation date to CLOSEDATE:
#   D1  01-10 → 01-20  10 days  (user 2, CALL,    January)
#   D8  01-08 → 01-25  17 days  (user 3, CALL,    January; lost 01-25, won 02-20: CLOSEDATE kept)
#   D4  02-10 → 02-10   0 days  (user 3, PARTNER, February; created won)
#   D13 03-03 → 03-25  22 days  (user 3, CALL,    March)
# D9 (won, then reopened) is open again and not in the mart.
def test_sales_cycle_won_pipeline_0(con):
    result = {
        (row["assigned_user_id"], row["source_id"], str(row["close_month"])):
            (row["deal_count"], row["avg_cycle_days"], row["median_cycle_days"], row["min_cycle_days"],
             row["max_cycle_days"])
        for row in rows(con, "select * from marts.sales_cycle where pipeline_id = 0 and outcome = 'won'")
    }
    assert result == {
        (2, "CALL", "2025-01-01"): (1, 10.0, 10.0, 10, 10),
        (3, "CALL", "2025-01-01"): (1, 17.0, 17.0, 17, 17),
        (3, "PARTNER", "2025-02-01"): (1, 0.0, 0.0, 0, 0),
        (3, "CALL", "2025-03-01"): (1, 22.0, 22.0, 22, 22),
    }


# Lost deals of user 2 from WEB closed in February: D5 02-11 → 02-11 (0 days) and D7 01-20 → 02-15
# (26 days; CLOSEDATE is the win date, the later loss keeps it): average 13, median 13.
def test_sales_cycle_lost_group(con):
    (row,) = rows(con, "select * from marts.sales_cycle where pipeline_id = 0 and outcome = 'lost' "
                       "and assigned_user_id = 2 and source_id = 'WEB'")
    assert (row["deal_count"], row["min_cycle_days"], row["max_cycle_days"]) == (2, 0, 26)
    assert row["avg_cycle_days"] == pytest.approx(13.0)
    assert row["median_cycle_days"] == pytest.approx(13.0)
    assert float(row["amount_account"]) == pytest.approx(50000.0)


# ----------------------------------------------------------------------------- time_to_first_action

# D1: created 2025-01-10 09:00, first activity the call of 01-10 11:00 (the meeting of 01-12 is
#     second) → 7200 s, 2 h; D3: created 01-05 09:00, call 01-06 09:00 → 86400 s, 24 h;
# D6: created 02-01 10:00, call 10:30 → 1800 s, 0.5 h; D2: no activity → null.
def test_time_to_first_action(con):
    result = {row["deal_id"]: row for row in rows(con, "select * from marts.time_to_first_action")}
    assert sorted(result) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14]  # D12 recurring: out
    expected = {
        1: ("won", 1, "call", 2, 7200, 2.0),
        3: ("lost", 3, "call", 1, 86400, 24.0),
        6: ("open", 4, "call", 1, 1800, 0.5),
    }
    for deal_id, (outcome, activity_id, activity_type, count, seconds, hours) in expected.items():
        row = result[deal_id]
        assert (row["outcome"], row["first_activity_id"], row["first_activity_type"], row["activity_count"],
                row["seconds_to_first_activity"]) == (outcome, activity_id, activity_type, count, seconds)
        assert row["hours_to_first_activity"] == pytest.approx(hours)
        assert row["has_activity"] is True
    no_activity = result[2]
    assert no_activity["outcome"] == "open"
    assert no_activity["has_activity"] is False
    assert no_activity["first_activity_id"] is None
    assert no_activity["seconds_to_first_activity"] is None
    assert no_activity["hours_to_first_activity"] is None
    assert no_activity["activity_count"] == 0
    assert result[6]["first_activity_responsible_user_id"] == 3


# -------------------------------------------------------------------------- pipeline_daily_snapshot

def snapshot(con, day: str) -> dict[tuple[int, str], tuple[int, float]]:
    return {
        (row["pipeline_id"], row["stage_id"]): (row["open_deal_count"], float(row["open_amount_account"]))
        for row in rows(con, f"select * from marts.pipeline_daily_snapshot where snapshot_date = '{day}'")
    }


# Each deal at its latest real entry on or before the day, open while that stage is a process stage.
# 2025-02-12: D7 NEW (since 01-20, won only 02-15) 40000; D6 PREPARATION (back there 02-10) 70000;
#   D2 EXECUTING (created there 01-12) 1000 USD = 90000. D9 was won on 02-12 itself: not open.
#   D1, D4, D8 won and D3, D5 lost by then; D10, D11, D13, D14 not created yet.
# 2025-03-06: D10 still in pipeline 0 NEW (moved to pipeline 1 on 03-10) 5,000,000 KZT = 947000;
#   PREPARATION D6 70000 + D9 (reopened 03-05) 80000; EXECUTING D2 90000 + D13 (since 03-04) 120000;
#   pipeline 1 C1:NEW D11 (booked only 03-12) 3000000. D7 lost 03-03, D14 created 03-10.
@pytest.mark.parametrize(("day", "expected"), [
    ("2025-02-12", {(0, "NEW"): (1, 40000.0), (0, "PREPARATION"): (1, 70000.0),
                    (0, "EXECUTING"): (1, 90000.0)}),
    ("2025-03-06", {(0, "NEW"): (1, 947000.0), (0, "PREPARATION"): (2, 150000.0),
                    (0, "EXECUTING"): (2, 210000.0), (1, "C1:NEW"): (1, 3000000.0)}),
])
def test_pipeline_daily_snapshot(con, day, expected):
    result = snapshot(con, day)
    assert result.keys() == expected.keys()
    for key, (count, amount) in expected.items():
        assert result[key][0] == count, key
        assert result[key][1] == pytest.approx(amount), key


# Days run from the first real deal entry (D3, 2025-01-05) to the last one (D11 lost, 2025-04-02).
# On the last day the open deals are exactly the deals now open: D2 EXECUTING, D6 and D9 PREPARATION.
def test_pipeline_daily_snapshot_range(con):
    first, last = con.execute(
        "select cast(min(snapshot_date) as varchar), cast(max(snapshot_date) as varchar) "
        "from marts.pipeline_daily_snapshot").fetchone()
    assert (first, last) == ("2025-01-05", "2025-04-02")
    assert {key: count for key, (count, _) in snapshot(con, "2025-04-02").items()} == {
        (0, "EXECUTING"): 1, (0, "PREPARATION"): 2}


# ----------------------------------------------------------------------------------------- forecast

# May 2025 (CLOSEDATE 2025-05-30 of every open deal), pipeline 0, probability = the stage default
# (no deal has PROBABILITY): the k-th of 4 process stages is 100·k/5 %.
#   user 3: D2 EXECUTING (4th: 80 %) 90000 → 72000, D6 PREPARATION (2nd: 40 %) 70000 → 28000
#   user 2: D9 PREPARATION (40 %) 80000 → 32000
# No deal was won with a close date in May. March, pipeline 0, user 3: D13 won 120000, nothing open.
def test_forecast(con):
    result = {
        (row["pipeline_id"], row["assigned_user_id"], str(row["close_month"])):
            (row["open_deal_count"], float(row["open_amount_account"]), float(row["weighted_open_amount_account"]),
             row["won_deal_count"], float(row["won_amount_account"]))
        for row in rows(con, "select * from marts.forecast")
    }
    assert result[0, 3, "2025-05-01"] == (2, 160000.0, pytest.approx(100000.0), 0, 0.0)
    assert result[0, 2, "2025-05-01"] == (1, 80000.0, pytest.approx(32000.0), 0, 0.0)
    assert result[0, 3, "2025-03-01"] == (0, 0.0, 0.0, 1, 120000.0)
    # every month: won D1 (Jan, user 2), D8 (Jan, user 3), D4 (Feb), D13 (Mar), D10 (Mar, pipeline 1)
    assert sorted(result) == [
        (0, 2, "2025-01-01"), (0, 2, "2025-05-01"), (0, 3, "2025-01-01"), (0, 3, "2025-02-01"),
        (0, 3, "2025-03-01"), (0, 3, "2025-05-01"), (1, 4, "2025-03-01"),
    ]
    assert result[1, 4, "2025-03-01"][3:] == (1, pytest.approx(947000.0))
