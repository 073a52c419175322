"""After live-mode changes, an incremental run gives the same raw tables as a fresh full load of
the changed portal, with deleted records marked."""

from __future__ import annotations

import json

import duckdb
import pytest

from sandbox.live import LiveConfig
from tests.pipelines.conftest import duckdb_warehouse, extract
from tests.pipelines.raw_compare import TABLES, compare_table


@pytest.fixture(scope="module")
def changed(tiny_portal, serve_module, tmp_path_factory):
    sandbox = serve_module(tiny_portal, live=LiveConfig(seed=5))
    warehouse = duckdb_warehouse(tmp_path_factory.mktemp("incremental"))
    full = extract(sandbox, warehouse, reconcile=True)
    changes = sandbox.live.advance(3)
    incremental = extract(sandbox, warehouse, reconcile=True)
    truth = tmp_path_factory.mktemp("truth")
    sandbox.store.dump(truth)
    con = duckdb.connect(str(warehouse.duckdb_path), read_only=True)
    yield full, incremental, changes, truth, con
    con.close()


@pytest.mark.parametrize("table", sorted(TABLES))
def test_incremental_equals_the_changed_portal(changed, table):
    full, _, _, truth, con = changed
    assert compare_table(con, "raw_bitrix24", truth, table, full.portal_id) == []


def test_deleted_deals_are_marked_not_dropped(changed, tiny_portal):
    _, incremental, changes, truth, con = changed
    before = {int(deal["ID"]) for deal in json.loads((tiny_portal / "crm.deal.list.json").read_text())}
    after = {int(deal["ID"]) for deal in json.loads((truth / "crm.deal.list.json").read_text())}
    gone = before - after
    assert len(gone) == changes["deals_deleted"] == 3
    marked = {row[0] for row in con.execute(
        "select id from raw_bitrix24.deals where _is_deleted and _deleted_at is not null").fetchall()}
    assert marked == gone
    assert incremental.deleted["deals"] == 3
    logged = {row[0] for row in con.execute(
        "select record_id from raw_bitrix24.deleted_records where entity = 'deals'").fetchall()}
    assert logged == gone
    orphan_rows = con.execute(
        "select count(*) from raw_bitrix24.deal_product_rows r where owner_id in "
        f"({', '.join(map(str, gone))}) and not coalesce(r._is_deleted, false) and not r._deleted").fetchone()[0]
    assert orphan_rows == 0


def test_incremental_reads_only_what_changed(changed):
    full, incremental, _, _, _ = changed
    listed = lambda result: sum(c.rows for name, c in result.stats.entities.items()  # noqa: E731
                                if name in TABLES and name not in ("users", "departments", "products"))
    assert listed(incremental) < listed(full) / 5


def test_product_rows_follow_the_changed_portal(changed):
    full, _, _, truth, con = changed
    rows = json.loads((truth / "crm.deal.productrows.get.json").read_text())
    live = con.execute("select id, owner_id, quantity from raw_bitrix24.deal_product_rows "
                       "where not _deleted and not coalesce(_is_deleted, false)").fetchall()
    assert sorted(row[0] for row in live) == sorted(int(row["ID"]) for row in rows)
