"""DuckDB: BI reads a published file of its own, which a run can neither block nor half-replace."""

from __future__ import annotations

import time

import duckdb
import pytest

from orchestration.publish import PublishRefused, publish_marts, rollback
from orchestration.publish.duckdb_file import PublishedFiles
from tests.pipelines.conftest import extract
from tests.publish.conftest import ReaderProcess, build


def published_version(path) -> str:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute("select version from publication.version").fetchone()[0]


def assert_published_equals_warehouse(warehouse) -> int:
    """Every mart of the published file holds exactly the warehouse's rows (as a multiset)."""
    current = PublishedFiles(warehouse.resolved_published_dir()).current
    with duckdb.connect(str(warehouse.resolved_duckdb_path()), read_only=True) as connection:
        connection.execute(f"attach '{current}' as published (read_only)")
        built = [name for (name,) in connection.execute(
            "select table_name from duckdb_tables() where database_name = 'warehouse' and schema_name = 'marts' "
            "order by 1").fetchall()]
        published = [name for (name,) in connection.execute(
            "select table_name from duckdb_tables() where database_name = 'published' and schema_name = 'marts' "
            "order by 1").fetchall()]
        assert built == published and len(built) >= 35
        for name in built:
            for left, right in ((f"marts.{name}", f"published.marts.{name}"), (f"published.marts.{name}", f"marts.{name}")):
                (extra,) = connection.execute(
                    f"select count(*) from (select * from {left} except all select * from {right})").fetchone()
                assert extra == 0, f"{name}: {extra} rows of {left} are not in {right}"
        return len(built)


@pytest.fixture(scope="module")
def first_publication(live_warehouse):
    sandbox, warehouse = live_warehouse
    result = publish_marts(warehouse)
    return sandbox, warehouse, result


def test_publish_writes_the_marts_with_their_docs_and_says_where_bi_connects(first_publication):
    _, warehouse, result = first_publication
    current = warehouse.resolved_published_dir() / "warehouse.duckdb"
    assert result.location == str(current.resolve())
    assert f"duckdb:///{current.resolve()}?access_mode=read_only" in result.connect
    assert "green (no marts gate installed yet)" in result.note
    assert result.size_bytes == current.stat().st_size > 0
    assert_published_equals_warehouse(warehouse)
    with duckdb.connect(str(current), read_only=True) as connection:
        assert connection.execute("select current_database()").fetchone() == ("warehouse",)
        schemas = {name for (name,) in connection.execute("select schema_name from duckdb_schemas() "
                                                          "where database_name = 'warehouse'").fetchall()}
        assert {"raw_bitrix24", "staging", "intermediate", "quality"}.isdisjoint(schemas)
        (table_comment,) = connection.execute("select comment from duckdb_tables() where schema_name = 'marts' "
                                              "and table_name = 'fct_deals'").fetchone()
        assert table_comment.startswith("One row per deal (crm.deal.list)")
        documented, columns = connection.execute(
            "select count(comment), count(*) from duckdb_columns() where schema_name = 'marts'").fetchone()
        assert columns >= 700 and documented >= 0.9 * columns, (documented, columns)


def test_the_documented_sqlalchemy_url_reads_and_cannot_write(first_publication):
    """docs/bi.md: duckdb-engine's URL with access_mode=read_only (Superset, pandas, notebooks)."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    _, warehouse, result = first_publication
    url = result.connect.split(" ")[0]
    assert url.startswith("duckdb:////") and url.endswith("/published/warehouse.duckdb?access_mode=read_only")
    engine = sa.create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        deals = connection.execute(sa.text("select count(*) from marts.fct_deals")).scalar()
        with pytest.raises(sa.exc.DBAPIError, match="read-only mode"):
            connection.execute(sa.text("create table marts.mine (id integer)"))
    engine.dispose()
    with duckdb.connect(str(warehouse.resolved_duckdb_path()), read_only=True) as connection:
        assert connection.execute("select count(*) from marts.fct_deals").fetchone() == (deals,)


def test_readers_during_a_full_rebuild_and_publish(first_publication, tmp_path):
    """A reader holding the file keeps its version whole; readers opening it every second never fail,
    never see a missing or partly written mart, and see the new version once it is published."""
    sandbox, warehouse, _ = first_publication
    current = warehouse.resolved_published_dir() / "warehouse.duckdb"
    before = published_version(current)
    holder = ReaderProcess.start("hold", current, tmp_path)
    poller = ReaderProcess.start("poll", current, tmp_path, every=0.5)
    changes = sandbox.live.advance(3)
    extract(sandbox, warehouse, reconcile=True)
    rebuilt = build(warehouse, full_refresh=True)
    assert rebuilt.success, rebuilt.summary
    result = publish_marts(warehouse)
    published_at = time.time()
    time.sleep(2.0)
    holds, polls = holder.stop(), poller.stop()

    after = published_version(current)
    assert after != before and changes["deals_moved"] > 0
    # the held connection read its version, whole, all along
    assert len(holds) >= 10 and all("error" not in read for read in holds), holds[-1]
    assert {read["version"] for read in holds} == {before}
    assert all(not read["missing"] and not read["wrong_counts"] for read in holds)
    # new connections: never an error, a missing mart or a mart with other rows than its version recorded
    assert len(polls) >= 20
    failed = [poll for poll in polls if "error" in poll or poll["missing"] or poll["wrong_counts"]]
    assert not failed, failed[:3]
    seen = [poll["version"] for poll in polls]
    assert set(seen) == {before, after} and seen == sorted(seen), "versions went back or mixed"
    assert all(poll["version"] == after for poll in polls if poll["at"] > published_at)
    assert max(poll["seconds"] for poll in polls) < 2.0
    assert_published_equals_warehouse(warehouse)
    assert "40 marts" in result.summary or "marts (" in result.summary


def test_incremental_publish_copies_only_what_changed_and_equals_the_warehouse(first_publication):
    sandbox, warehouse, _ = first_publication
    publish_marts(warehouse)  # the published file now matches the warehouse
    changes = sandbox.live.advance(2)
    extract(sandbox, warehouse, reconcile=True)
    result = build(warehouse)
    assert result.success, result.summary
    assert changes["deals_moved"] > 0
    published = publish_marts(warehouse)
    assert "patched" in published.summary, published.summary  # incremental marts got their changed rows only
    assert_published_equals_warehouse(warehouse)
    with duckdb.connect(str(warehouse.resolved_published_dir() / "warehouse.duckdb"), read_only=True) as connection:
        how = dict(connection.execute("select table_name, how from publication.tables").fetchall())
    assert how["fct_deals"] == "patched" and how["dim_dates"] == "unchanged", how
    nothing_new = publish_marts(warehouse)  # no build since: nothing is copied
    assert "0 rows written" in nothing_new.summary, nothing_new.summary


def test_refused_after_a_failed_build_and_rolled_back(first_publication):
    _, warehouse, _ = first_publication
    files = PublishedFiles(warehouse.resolved_published_dir())
    publish_marts(warehouse)
    publish_marts(warehouse)  # with the first publication, at least three versions were published
    kept = published_version(files.current)
    path = str(warehouse.resolved_duckdb_path())
    with duckdb.connect(path) as connection:  # a deal loaded twice: the staging model's unique test fails
        connection.execute("insert into raw_bitrix24.deals select * replace ('9999999999.000' as _dlt_load_id) "
                           "from raw_bitrix24.deals limit 1")
    try:
        failed = build(warehouse, select="stg_bitrix24__deals")
        assert not failed.success
        with duckdb.connect(path, read_only=True) as connection:
            newest = connection.execute("select success, finished_at is not null from quality.dbt_builds "
                                        "order by started_at desc limit 1").fetchone()
        assert newest == (False, True)
        with pytest.raises(PublishRefused, match=r"the newest dbt build \(.*\) failed"):
            publish_marts(warehouse)
        assert published_version(files.current) == kept  # BI keeps the version it had
    finally:
        with duckdb.connect(path) as connection:
            connection.execute("delete from raw_bitrix24.deals where _dlt_load_id = '9999999999.000'")

    earlier = [version.name for version in files.versions() if version.name < kept]
    assert rollback(warehouse).startswith(f"rolled back: BI reads {earlier[-1]} again")
    assert published_version(files.current) == earlier[-1]
    while len([version for version in files.versions() if version.name < published_version(files.current)]):
        rollback(warehouse)
    with pytest.raises(PublishRefused, match="no earlier published version kept"):
        rollback(warehouse)
    assert len(files.versions()) == 3  # the last three versions are kept, older ones deleted


def test_refused_while_a_build_has_not_finished_or_after_a_failed_marts_gate(first_publication):
    """The gates' side of the contract: quality.gate_runs rows as the marts gate writes them."""
    _, warehouse, _ = first_publication
    result = build(warehouse, select="dim_dates")
    assert result.success, result.summary
    path = str(warehouse.resolved_duckdb_path())
    with duckdb.connect(path) as connection:
        (build_id,) = connection.execute("select invocation_id from quality.dbt_builds "
                                         "order by started_at desc limit 1").fetchone()
        connection.execute("""create table if not exists quality.gate_runs (run_id varchar, gate varchar,
            portal_id varchar, dbt_invocation_id varchar, started_at timestamptz, finished_at timestamptz,
            success boolean, errors integer, warnings integer, report_path varchar)""")
        connection.execute("insert into quality.gate_runs values ('run-1', 'marts', 'tiny.example', ?, now(), now(), "
                           "false, 2, 0, 'data/quality/index.html')", [build_id])
    with pytest.raises(PublishRefused, match=r"the marts gate failed \(run run-1; portal tiny.example: 2 error"):
        publish_marts(warehouse)
    with duckdb.connect(path) as connection:
        connection.execute("insert into quality.gate_runs values ('run-2', 'marts', 'tiny.example', 'older-build', "
                           "now(), now(), true, 0, 0, 'r.html')")
    with pytest.raises(PublishRefused, match="checked dbt build older-build, not the newest build"):
        publish_marts(warehouse)
    with duckdb.connect(path) as connection:
        connection.execute("insert into quality.gate_runs values ('run-3', 'marts', 'tiny.example', ?, now(), now(), "
                           "true, 0, 1, 'r.html')", [build_id])
    assert publish_marts(warehouse).note == f"dbt build {build_id} green, marts gate run run-3 passed"
    with duckdb.connect(path) as connection:  # what on-run-start leaves of a build that was killed
        connection.execute("insert into quality.dbt_builds (invocation_id, started_at) values ('killed', now())")
    with pytest.raises(PublishRefused, match=r"the newest dbt build \(killed\) has not finished"):
        publish_marts(warehouse)
    with duckdb.connect(path) as connection:
        connection.execute("delete from quality.dbt_builds where invocation_id = 'killed'")
        connection.execute("drop table quality.gate_runs")


def test_refused_while_another_process_writes_the_warehouse(first_publication, tmp_path):
    import subprocess
    import sys

    _, warehouse, _ = first_publication
    files = PublishedFiles(warehouse.resolved_published_dir())
    kept = published_version(files.current)
    ready = tmp_path / "writer.ready"
    writer = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, pathlib, sys, time; c = duckdb.connect(sys.argv[1]); pathlib.Path(sys.argv[2]).touch(); "
        "time.sleep(60)"), str(warehouse.resolved_duckdb_path()), str(ready)])
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        with pytest.raises(PublishRefused, match="is being written by another process"):
            publish_marts(warehouse)
    finally:
        writer.kill()
        writer.wait()
    assert published_version(files.current) == kept
    assert not list(files.versions_dir.glob("*.tmp")), "the half-made version was left behind"
