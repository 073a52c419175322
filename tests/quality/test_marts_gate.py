"""The marts gate: a fact whose dimension is missing warns and names the record and its owner; a
portal with deals in an unknown pipeline builds every mart, flags those deals and only warns."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from expectations.gates import run_gate
from pipelines.warehouse import WarehouseConfig
from tests.dbt.dbt_runner import dbt, not_passed
from tests.pipelines.conftest import extract


def test_the_good_warehouse_passes(warehouse_copy):
    warehouse, _ = warehouse_copy
    result = run_gate(warehouse, "marts")
    assert (result.success, result.errors, result.warnings) == (True, 0, 0)
    assert result.expectations == 41  # 5 invariants, 36 dimension checks


def test_a_fact_without_its_dimension_warns_naming_the_record(warehouse_copy):
    warehouse, change = warehouse_copy
    change("update marts.fct_leads set source_id = 'FAIR' where lead_id = 2")
    result = run_gate(warehouse, "marts")
    assert result.success  # dimensions are warnings: published, reported
    [failure] = result.failures
    assert (failure.check, failure.table, failure.column, failure.severity) == ("dimensions", "fct_leads", "source_id", "warning")
    assert failure.expectation == "found in dim_sources"
    assert (failure.portal_id, failure.unexpected_count, failure.sample_record_ids) == ("127.0.0.1", 1, ["2"])


@pytest.fixture(scope="module")
def unknown_pipeline_build(tiny_portal, serve_module, tmp_path_factory):
    """The tiny portal with two of its 150 deals moved to a pipeline (and stage) the portal does not list."""
    portal = tmp_path_factory.mktemp("unknown-pipeline-portal")
    shutil.copytree(tiny_portal, portal, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".sandbox"))
    deals = json.loads((portal / "crm.deal.list.json").read_text())
    for deal in deals[:2]:
        deal.update(CATEGORY_ID="77", STAGE_ID="C77:NEW")
    (portal / "crm.deal.list.json").write_text(json.dumps(deals))
    directory = tmp_path_factory.mktemp("unknown-pipeline")
    warehouse = WarehouseConfig(duckdb_path=directory / "warehouse.duckdb", pipelines_dir=directory / "pipelines")
    extract(serve_module(portal), warehouse)
    raw = run_gate(warehouse, "raw", now=portal_clock(portal))
    with pytest.MonkeyPatch.context() as monkeypatch:
        build = dbt(["build"], warehouse.duckdb_path, directory, monkeypatch)
    marts = run_gate(warehouse, "marts")
    return [int(deal["ID"]) for deal in deals[:2]], raw, build, marts, warehouse


def portal_clock(portal):
    from datetime import datetime

    return datetime.fromisoformat(json.loads((portal / "portal.json").read_text())["now"])


def test_deals_in_an_unknown_pipeline_warn_at_the_raw_gate(unknown_pipeline_build):
    deal_ids, raw, *_ = unknown_pipeline_build
    assert raw.success
    flagged = {(f.column, f.severity) for f in raw.failures if f.table == "deals"}
    assert flagged == {("category_id", "warning"), ("stage_id", "warning")}
    assert all(sorted(map(int, f.sample_record_ids)) == sorted(deal_ids) for f in raw.failures if f.table == "deals")


def test_deals_in_an_unknown_pipeline_build_every_mart_and_are_flagged(unknown_pipeline_build):
    deal_ids, _, build, marts, warehouse = unknown_pipeline_build
    assert build.success and not not_passed(build)  # no model skipped, no test failed or warned
    with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as connection:
        flagged = connection.execute(
            "select rule_name, record_id from marts.data_quality_records "
            "where rule_name in ('unknown_pipeline', 'unknown_stage') order by 1, 2").fetchall()
        in_facts = connection.execute("select count(*) from marts.fct_deals where pipeline_id = 77").fetchone()[0]
    assert flagged == [(rule, deal_id) for rule in ("unknown_pipeline", "unknown_stage") for deal_id in sorted(deal_ids)]
    assert in_facts == 2
    assert marts.success and marts.errors == 0
    assert {(f.table, f.column) for f in marts.failures} >= {("fct_deals", "pipeline_id"), ("fct_deals", "stage_key")}
    assert all(f.severity == "warning" for f in marts.failures)
