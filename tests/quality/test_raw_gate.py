"""The raw gate on a crafted bad warehouse: each kind of expectation fails with the right severity
and names the table, column, sample records and their owners; on the good warehouse it passes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from expectations.gates import run_gate
from tests.quality.conftest import PORTAL, PORTAL_NOW


def raw_gate(warehouse, now=PORTAL_NOW, config_path=None):
    return run_gate(warehouse, "raw", now=now, config_path=config_path)


def only(result, check: str, table: str, column: str | None = None):
    found = [failure for failure in result.failures
             if (failure.check, failure.table, failure.column) == (check, table, column)]
    assert len(found) == 1, [(f.check, f.table, f.column, f.expectation) for f in result.failures]
    return found[0]


def test_the_good_warehouse_passes(warehouse_copy):
    warehouse, _ = warehouse_copy
    result = raw_gate(warehouse)
    assert result.success and result.errors == 0
    # lead 3 has no source and deal 3 neither: NULL codes are not checked; every code exists
    assert result.failures == []
    assert result.expectations > 100


def test_a_duplicate_key_fails_naming_the_record(warehouse_copy):
    warehouse, change = warehouse_copy
    change("insert into raw_bitrix24.deals select * from raw_bitrix24.deals where id = 3")
    result = raw_gate(warehouse)
    assert not result.success
    failure = only(result, "keys", "deals")
    assert failure.severity == "error" and failure.expectation == "key (portal_id, id) unique"
    assert failure.unexpected_count == 2 and failure.sample_record_ids == ["3"]


def test_a_null_key_fails(warehouse_copy):
    warehouse, change = warehouse_copy
    change("update raw_bitrix24.contacts set id = null where id = 2")
    failure = only(raw_gate(warehouse), "keys", "contacts", "id")
    assert (failure.severity, failure.unexpected_count) == ("error", 1)


def test_volume_falls_beyond_the_allowed_share_against_the_last_passing_run(warehouse_copy):
    warehouse, change = warehouse_copy
    assert raw_gate(warehouse).success  # counts 6 live deals and 5 leads
    # a reconciliation marks 3 of 6 deals deleted (50% > 20%); 1 of 5 leads (20%) is allowed
    change("update raw_bitrix24.deals set _is_deleted = true where id in (1, 2, 3)",
           "update raw_bitrix24.leads set _is_deleted = true where id = 5")
    result = raw_gate(warehouse)
    assert not result.success
    failure = only(result, "volume", "deals")
    assert failure.severity == "error"
    assert failure.observed == "observed 3"
    assert failure.expectation == "live rows at least 5 (6 at the last passing run, at most 20% fewer)"
    assert not [f for f in result.failures if f.table == "leads"]


def test_growth_passes_and_a_failed_run_is_not_the_baseline(warehouse_copy):
    warehouse, change = warehouse_copy
    assert raw_gate(warehouse).success
    change("update raw_bitrix24.deals set _is_deleted = true")
    assert not raw_gate(warehouse).success  # 0 of 6
    change("update raw_bitrix24.deals set _is_deleted = false where id <= 5")
    # compared with the last passing run (6), not the failed one (0): 5 >= 5 passes
    assert raw_gate(warehouse).success


def test_an_empty_table_after_a_full_one_fails(warehouse_copy):
    warehouse, change = warehouse_copy
    assert raw_gate(warehouse).success
    change("delete from raw_bitrix24.leads")
    failure = only(raw_gate(warehouse), "volume", "leads")
    assert failure.observed == "observed 0"


def test_a_few_unknown_codes_warn_and_many_fail(warehouse_copy, tmp_path):
    warehouse, change = warehouse_copy
    change("update raw_bitrix24.deals set category_id = 99 where id = 6")  # 1 of 6 deals: 83% known
    config = tmp_path / "gates.yml"
    config.write_text("defaults:\n  references: {error_mostly: 0.8}\n")
    relaxed = raw_gate(warehouse, config_path=config)
    assert relaxed.success
    warning = only(relaxed, "references", "deals", "category_id")
    assert warning.severity == "warning" and warning.expectation == "pipeline exists in the portal's dictionary"
    assert (warning.sample_record_ids, warning.sample_owner_ids) == (["6"], ["5"])
    strict = raw_gate(warehouse)  # default: at least 95% of records
    assert not strict.success
    errors = [f for f in strict.failures if f.column == "category_id" and f.severity == "error"]
    assert [f.expectation for f in errors] == ["pipeline exists in the portal's dictionary for at least 95% of records"]


@pytest.mark.parametrize(("table", "column", "reference"), [
    ("deals", "stage_id", "deal stage"),
    ("leads", "status_id", "lead status"),
    ("deals", "source_id", "source"),
    ("deals", "currency_id", "currency"),
    ("deals", "assigned_by_id", "assigned user"),
])
def test_every_dictionary_reference_is_checked(warehouse_copy, table, column, reference):
    warehouse, change = warehouse_copy
    change(f"update raw_bitrix24.{table} set {column} = 777 where id = 1")
    failures = [f for f in raw_gate(warehouse).failures if (f.table, f.column) == (table, column)]
    assert {f.severity for f in failures} == {"warning", "error"}  # 1 of 5-6 records is beyond 5%
    assert all(f.expectation.startswith(reference + " exists") and f.sample_record_ids == ["1"] for f in failures)


def test_datetimes_before_2000_or_in_the_future_fail(warehouse_copy):
    warehouse, change = warehouse_copy
    change("update raw_bitrix24.deals set date_create = timestamptz '1999-12-31 10:00:00+00' where id = 2",
           "update raw_bitrix24.activities set created = timestamptz '2025-03-26 12:00:00+03' where id = "
           "(select min(id) from raw_bitrix24.activities)")
    result = raw_gate(warehouse)
    created = only(result, "datetimes", "deals", "date_create")
    assert (created.severity, created.sample_record_ids, created.sample_owner_ids) == ("error", ["2"], ["2"])
    future = only(result, "datetimes", "activities", "created")  # 4 days after the clock: beyond 48 h
    assert future.unexpected_count == 1
    assert future.expectation == "between 2000-01-01 and 2025-03-24 09:00 UTC"


def test_negative_amounts_fail(warehouse_copy):
    warehouse, change = warehouse_copy
    change("update raw_bitrix24.deals set opportunity = -5 where id = 4")
    failure = only(raw_gate(warehouse), "amounts", "deals", "opportunity")
    assert (failure.severity, failure.sample_record_ids, failure.sample_owner_ids) == ("error", ["4"], ["4"])


def test_stale_deals_warn(warehouse_copy):
    warehouse, _ = warehouse_copy
    result = raw_gate(warehouse, now=PORTAL_NOW + timedelta(days=30))
    assert result.success  # freshness is a warning by default
    failure = only(result, "freshness", "deals", "date_modify")
    assert failure.severity == "warning" and failure.observed == "observed 2025-03-20 08:00:00+00:00"


def test_records_pointing_at_missing_parents_warn(warehouse_copy):
    warehouse, change = warehouse_copy
    change("update raw_bitrix24.deal_product_rows set owner_id = 999 where id = 4")
    result = raw_gate(warehouse)
    assert result.success
    failure = only(result, "references", "deal_product_rows", "owner_id")
    assert (failure.severity, failure.unexpected_count, failure.sample_record_ids) == ("warning", 1, ["4"])


def test_each_portal_is_checked_on_its_own(warehouse_copy):
    warehouse, _ = warehouse_copy
    with pytest.raises(ValueError, match="no raw data for portal\\(s\\) other.example; the warehouse has 127.0.0.1"):
        run_gate(warehouse, "raw", portal_ids=["other.example"], now=PORTAL_NOW)
    result = run_gate(warehouse, "raw", portal_ids=[PORTAL], now=PORTAL_NOW)
    assert result.success and len(result.run_ids) == 1
