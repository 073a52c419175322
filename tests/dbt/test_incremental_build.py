"""After live changes, an incremental `dbt build` gives exactly the marts a full rebuild gives, and
the incremental models (stage history, first activities) only rebuild the items that changed."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from sandbox.live import LiveConfig
from tests.dbt.dbt_runner import dbt, statuses
from tests.pipelines.conftest import duckdb_warehouse, extract


@pytest.fixture(scope="module")
def builds(tiny_portal, serve_module, tmp_path_factory):
    sandbox = serve_module(tiny_portal, live=LiveConfig(seed=7))
    directory = tmp_path_factory.mktemp("incremental-build")
    warehouse = duckdb_warehouse(directory)
    with pytest.MonkeyPatch.context() as monkeypatch:
        extract(sandbox, warehouse, reconcile=True)
        first = dbt(["build"], warehouse.duckdb_path, directory, monkeypatch)
        assert first.success, statuses(first)
        with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as con:
            built = dict(con.execute("select entity_type, max(event_id) from intermediate.int_stage_history_with_supposed "
                                     "group by 1").fetchall())
        changes = sandbox.live.advance(3)
        extract(sandbox, warehouse, reconcile=True)
        incremental = dbt(["build"], warehouse.duckdb_path, directory, monkeypatch)
        assert incremental.success, statuses(incremental)
        rebuilt = tmp_path_factory.mktemp("full-rebuild") / "warehouse.duckdb"  # same file name (stack notes P4)
        shutil.copy(warehouse.duckdb_path, rebuilt)
        full = dbt(["build", "--full-refresh"], rebuilt, rebuilt.parent, monkeypatch)
        assert full.success, statuses(full)
    return first, incremental, full, changes, warehouse.duckdb_path, rebuilt, built


def tables(path, schema: str) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE' "
            "order by 1", [schema]).fetchall()]


def test_live_changes_moved_deals(builds):
    *_, changes, _, _, _ = builds
    assert changes["deals_moved"] > 0 and changes["deals_created"] > 0 and changes["leads_moved"] > 0, changes


@pytest.mark.parametrize("schema", ["intermediate", "marts"])
def test_incremental_build_equals_full_rebuild(builds, schema):
    *_, incremental_path, rebuilt, _ = builds
    names = tables(incremental_path, schema)
    assert names == tables(rebuilt, schema) and names
    with duckdb.connect(str(incremental_path), read_only=True) as con:
        con.execute(f"attach '{rebuilt}' as rebuilt (read_only)")
        for name in names:
            for left, right in ((f"{schema}.{name}", f"rebuilt.{schema}.{name}"),
                                (f"rebuilt.{schema}.{name}", f"{schema}.{name}")):
                missing = con.execute(f"select count(*) from (select * from {left} except all select * from {right})"
                                      ).fetchone()[0]
                assert missing == 0, f"{name}: {missing} rows of {left} are not in {right}"


def test_incremental_run_rebuilds_only_the_moved_items(builds):
    first, incremental, _, _, path, _, built = builds
    by_name = {r.node.name: r.node for r in incremental.result.results}
    first_by_name = {r.node.name: r.node for r in first.result.results}
    # The first build was a full one; the second took the incremental branch, which selects the
    # items with transitions newer than the built ones and replaces only their rows.
    assert "changed_owners" not in first_by_name["int_stage_history_with_supposed"].compiled_code
    assert "changed_owners" in by_name["int_stage_history_with_supposed"].compiled_code
    assert "changed_owners" in by_name["int_activities_first_by_owner"].compiled_code
    with duckdb.connect(str(path), read_only=True) as con:
        owners, moved = con.execute(
            "select count(distinct owner_scope_key), count(distinct case when event_id > case entity_type "
            "when 'deal' then ? else ? end then owner_scope_key end) "
            "from intermediate.int_stage_history_with_supposed", [built["deal"], built["lead"]]).fetchone()
    assert 0 < moved < owners / 4, (moved, owners)
