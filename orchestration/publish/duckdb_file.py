"""Publishing to a DuckDB file of BI's own (DESIGN.md §4, docs/bi.md).

DuckDB lets one process write a file or many read it, never both, so BI never opens the pipeline's
warehouse. Each publish writes a new version file under `<published>/versions/` and swaps it in as
`<published>/warehouse.duckdb` with an atomic rename of a hard link: a reader holding the old file
keeps reading it whole (its inode lives on until it closes it), a reader opening the path gets the
old or the new version, never a mix, and nothing a reader does can stop the pipeline, which never
opens that file. The file is named warehouse.duckdb like the pipeline's, so its catalog is
`warehouse` too and a query written against one runs against the other.

A version starts as a copy of the one BI has now and is patched: an incremental mart (a unique key and
a built_at stamp, quality.marts_catalog) gets only the rows dbt wrote since that version was made and
loses the keys dbt deleted; any other mart (rebuilt whole by dbt) is compared by fingerprint and, when it
differs, gets the rows that differ, matched by row hash; a mart mostly changed is copied whole. The last
KEEP_VERSIONS versions stay for `publish --rollback`.
"""

from __future__ import annotations

import datetime
import os
import shutil
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.publish.readiness import PublishRefused, Verdict, publish_verdict

PUBLISHED_NAME = "warehouse.duckdb"
VERSIONS_DIR = "versions"
KEEP_VERSIONS = int(os.environ.get("CRM_WAREHOUSE_PUBLISHED_VERSIONS", "3"))
MARTS = "marts"
# a version copied from the last one is rebuilt from scratch when more of it is free space than this
# (dropped and rewritten tables leave free blocks DuckDB reuses but never gives back)
MAX_FREE_SHARE = 0.5
# an incremental mart rewritten mostly (a --full-refresh) is copied whole: cheaper than delete + insert
MAX_PATCH_SHARE = 0.5
PUBLISH_MEMORY = os.environ.get("CRM_WAREHOUSE_PUBLISH_MEMORY", "4GB")


@dataclass
class TableCopy:
    table: str
    how: str  # "patched" | "copied" | "unchanged"
    rows: int
    changed_rows: int


@dataclass
class FilePublication:
    version: Path
    verdict: Verdict
    seconds: float
    size_bytes: int
    tables: list[TableCopy] = field(default_factory=list)
    started_from: str = "empty"  # the version it was patched from, or "empty"


class PublishedFiles:
    """The published directory: `warehouse.duckdb` (what BI opens) is a hard link to one of `versions/`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.current = directory / PUBLISHED_NAME
        self.versions_dir = directory / VERSIONS_DIR

    def versions(self) -> list[Path]:
        """Kept versions, oldest first (names sort by time)."""
        if not self.versions_dir.exists():
            return []
        return sorted(self.versions_dir.glob("warehouse-*.duckdb"))

    def current_version(self) -> Path | None:
        """The version BI opens now (same inode as warehouse.duckdb)."""
        if not self.current.exists():
            return None
        inode = self.current.stat().st_ino
        return next((version for version in self.versions() if version.stat().st_ino == inode), None)

    def new_version_path(self) -> Path:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        return self.versions_dir / f"warehouse-{stamp}.duckdb"

    def swap_in(self, version: Path) -> None:
        """Make `version` what BI opens, in one atomic rename (a new hard link over the old name)."""
        link = self.directory / f".{PUBLISHED_NAME}.swap"
        link.unlink(missing_ok=True)
        os.link(version, link)
        os.replace(link, self.current)
        _fsync_directory(self.directory)

    def prune(self, keep: int = KEEP_VERSIONS) -> None:
        """Delete all but the newest `keep` versions, never the current one. A reader holding a deleted
        version keeps reading it: the file goes when its last reader closes it."""
        current = self.current_version()
        for version in self.versions()[:-keep] if keep > 0 else []:
            if version != current:
                version.unlink(missing_ok=True)


def publish_file(warehouse_path: Path, published_dir: Path, progress=lambda message: None) -> FilePublication:
    """Publish the warehouse's marts as a new version of the published file and swap it in."""
    started = time.monotonic()
    if not warehouse_path.exists():
        raise PublishRefused(f"no warehouse at {warehouse_path}: run `crm-warehouse run` or `extract` first")
    files = PublishedFiles(published_dir)
    files.versions_dir.mkdir(parents=True, exist_ok=True)
    version = files.new_version_path()
    work = version.with_name(version.name + ".tmp")
    base = files.current_version()
    if base is not None:
        shutil.copyfile(base, work)  # copy_file_range: the kernel copies, reflinks where it can
        if _free_share(work) > MAX_FREE_SHARE:
            work.unlink()
            base = None
    try:
        with closing(duckdb.connect(str(work))) as connection:
            # capped like the build (profiles.yml), spilling beside the versions: it runs beside BI readers
            connection.execute("set preserve_insertion_order = false; set enable_progress_bar = false; "
                               f"set memory_limit = '{_sql_text(PUBLISH_MEMORY)}'; "
                               f"set temp_directory = '{_sql_text(str(files.versions_dir / '.tmp'))}'")
            _attach_warehouse(connection, warehouse_path)
            verdict = publish_verdict(lambda sql: connection.execute(sql).fetchall(), "build.quality")
            tables = _copy_marts(connection, progress)
            _record_publication(connection, version.name, verdict)
            connection.execute("detach build")
            connection.execute("checkpoint")
        if work.with_name(work.name + ".wal").exists():  # never hand BI a file with pending writes
            raise RuntimeError(f"{work} kept a write-ahead log after its checkpoint")
        os.replace(work, version)
        _fsync_directory(files.versions_dir)
    except BaseException:
        work.unlink(missing_ok=True)
        work.with_name(work.name + ".wal").unlink(missing_ok=True)
        raise
    files.swap_in(version)
    files.prune()
    return FilePublication(version=version, verdict=verdict, seconds=time.monotonic() - started,
                           size_bytes=version.stat().st_size, tables=tables,
                           started_from=base.name if base else "empty")


def rollback_file(published_dir: Path) -> Path:
    """Put back the version published before the current one; returns it."""
    files = PublishedFiles(published_dir)
    current = files.current_version()
    earlier = [version for version in files.versions() if current is None or version.name < current.name]
    if not earlier:
        raise PublishRefused(f"no earlier published version kept in {files.versions_dir} to roll back to")
    files.swap_in(earlier[-1])
    return earlier[-1]


def _attach_warehouse(connection: duckdb.DuckDBPyConnection, warehouse_path: Path) -> None:
    try:
        connection.execute(f"attach '{_sql_text(str(warehouse_path))}' as build (read_only)")
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise PublishRefused(f"the warehouse {warehouse_path} is being written by another process (a load or "
                                 "build is running): publish after it finishes") from None
        raise


def _copy_marts(connection: duckdb.DuckDBPyConnection, progress) -> list[TableCopy]:
    query = lambda sql, *params: connection.execute(sql, list(params)).fetchall()  # noqa: E731
    built = [name for (name,) in query(
        "select table_name from duckdb_tables() where database_name = 'build' and schema_name = ? "
        "union select view_name from duckdb_views() where database_name = 'build' and schema_name = ? "
        "order by 1", MARTS, MARTS)]
    if not built:
        raise PublishRefused("the warehouse has no marts to publish: run `crm-warehouse transform` first")
    views = {name for (name,) in query(
        "select view_name from duckdb_views() where database_name = 'build' and schema_name = ?", MARTS)}
    catalog = _marts_catalog(connection)
    connection.execute(f"create schema if not exists {MARTS}")
    connection.execute("create schema if not exists publication")
    before = {table: (built_through, fingerprint) for table, built_through, fingerprint in query(
        "select table_name, built_through, fingerprint from publication.tables")} \
        if query("select 1 from duckdb_columns() where database_name = current_database() and schema_name = "
                 "'publication' and table_name = 'tables' and column_name = 'fingerprint'") else {}
    published = {name for (name,) in query(
        "select table_name from duckdb_tables() where database_name = current_database() and schema_name = ?", MARTS)}
    for gone in sorted(published - set(built)):
        connection.execute(f'drop table {MARTS}."{gone}"')
    built_columns = _mart_columns(connection, "build")
    published_columns = _mart_columns(connection, connection.execute("select current_database()").fetchone()[0])
    copies, fingerprints = [], {}
    for table in built:
        same_columns = built_columns.get(table) == published_columns.get(table)
        has_built_at = "built_at" in [name for name, _ in built_columns.get(table, [])]
        key = catalog.get((table, None), (None, None))[1]
        built_through, fingerprint = before.get(table, (None, None))
        patchable = table in published and same_columns and has_built_at and key and built_through
        copy = _patch_table(connection, table, key, built_through) if patchable else None
        if copy is None and table not in views:  # a table dbt rebuilt whole: often the same rows, or a few changed
            # the build's row hashes, once: its fingerprint, and the rows to match when it differs
            connection.execute(f'create or replace temp table built_rows as select hash(t) as h, t.rowid as r '
                               f'from build.{MARTS}."{table}" t')
            count, hashes = connection.execute("select count(*), coalesce(sum(h), 0) from built_rows").fetchone()
            fingerprints[table] = f"{count}:{hashes}"
            if table in published and same_columns:
                copy = TableCopy(table, "unchanged", int(fingerprint.split(":")[0]), 0) \
                    if fingerprint == fingerprints[table] else _apply_row_differences(connection, table,
                                                                                      fingerprints[table])
        copies.append(copy or _copy_table(connection, table, replace=table in published))
        progress(f"{table}: {copies[-1].how} ({copies[-1].changed_rows:,} of {copies[-1].rows:,} rows)")
    _apply_comments(connection, catalog)
    connection.execute("create or replace table publication.tables (table_name varchar, built_through timestamp, "
                       "fingerprint varchar, row_count bigint, how varchar)")
    connection.executemany("insert into publication.tables values (?, ?, ?, ?, ?)",
                           [[copy.table, _newest_built_at(connection, copy.table, built_columns),
                             fingerprints.get(copy.table), copy.rows, copy.how] for copy in copies])
    return copies


def _mart_columns(connection: duckdb.DuckDBPyConnection, database: str) -> dict[str, list[tuple[str, str]]]:
    """Each mart's (column, type) in order; read once (duckdb_columns() reads every attached catalog)."""
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in connection.execute(
            "select table_name, column_name, data_type from duckdb_columns() where database_name = ? "
            "and schema_name = ? order by table_name, column_index", [database, MARTS]).fetchall():
        columns.setdefault(table, []).append((column, data_type))
    return columns


def _fingerprint(connection, relation: str) -> str:
    """Row count and the sum of the rows' hashes: equal for the same rows (in any order), so a table
    dbt rebuilt with the same content is not copied again."""
    count, hashes = connection.execute(f"select count(*), coalesce(sum(hash(t)), 0) from {relation} as t").fetchone()
    return f"{count}:{hashes}"


def _apply_row_differences(connection, table: str, fingerprint: str) -> TableCopy | None:
    """Bring a published mart to the build's rows by deleting the rows the build no longer has and
    inserting those it has anew, matched by row hash (a mart's rows are unique: it has a primary key;
    temp table built_rows holds the build's row hashes and row ids).
    None — copy it whole — when most rows differ or the result's fingerprint is not the build's."""
    source, target = f'build.{MARTS}."{table}"', f'{MARTS}."{table}"'  # built_rows: the caller's
    connection.execute(f"create or replace temp table published_rows as select hash(t) as h, t.rowid as r "
                       f"from {target} t")
    total, gone, new = connection.execute("""select
        (select count(*) from built_rows),
        (select count(*) from published_rows anti join built_rows using (h)),
        (select count(*) from built_rows anti join published_rows using (h))""").fetchone()
    if gone + new > MAX_PATCH_SHARE * max(total, 1):
        return None
    connection.execute(f"delete from {target} where rowid in "
                       "(select r from published_rows anti join built_rows using (h))")
    connection.execute(f"insert into {target} select * from {source} where rowid in "
                       "(select r from built_rows anti join published_rows using (h))")
    connection.execute("drop table published_rows")
    if _fingerprint(connection, target) != fingerprint:
        return None
    return TableCopy(table, "patched", total, new)


def _patch_table(connection, table: str, key: str | None, built_through) -> TableCopy | None:
    """Bring the published copy of an incremental mart (same columns, a built_at stamp) up to date with
    the rows dbt wrote since `built_through`; None when it must be copied whole instead."""
    keys = [part.strip() for part in key.split(",")]
    source, target = f'build.{MARTS}."{table}"', f'{MARTS}."{table}"'
    total, changed = connection.execute(f"select count(*), count(*) filter (where built_at > ?) from {source}",
                                        [built_through]).fetchone()
    if changed > MAX_PATCH_SHARE * total:
        return None
    key_list = ", ".join(f'"{name}"' for name in keys)
    matches = " and ".join(f'{target}."{name}" is not distinct from gone."{name}"' for name in keys)
    # the keys dbt rewrote since, and those it deleted (in the published copy, no longer built)
    connection.execute(f"""
        delete from {target} using (
            select {key_list} from {source} where built_at > ?
            union
            (select {key_list} from {target} except select {key_list} from {source})
        ) as gone
        where {matches}""", [built_through])
    connection.execute(f"insert into {target} select * from {source} where built_at > ?", [built_through])
    (published_rows,) = connection.execute(f"select count(*) from {target}").fetchone()
    if published_rows != total:  # not what dbt's delete+insert by key leaves: copy it whole
        return None
    return TableCopy(table, "patched" if changed else "unchanged", total, changed)


def _copy_table(connection, table: str, replace: bool) -> TableCopy:
    if replace:
        connection.execute(f'drop table {MARTS}."{table}"')
    connection.execute(f'create table {MARTS}."{table}" as select * from build.{MARTS}."{table}"')
    (rows,) = connection.execute(f'select count(*) from {MARTS}."{table}"').fetchone()
    return TableCopy(table, "copied", rows, rows)


def _newest_built_at(connection, table: str, built_columns):
    if "built_at" not in [name for name, _ in built_columns.get(table, [])]:
        return None
    return connection.execute(f'select max(built_at) from {MARTS}."{table}"').fetchone()[0]


def _marts_catalog(connection) -> dict[tuple[str, str | None], tuple[str | None, str | None]]:
    """(table, column or None) -> (description, unique key) from quality.marts_catalog (dbt docs)."""
    exists = connection.execute("select 1 from duckdb_tables() where database_name = 'build' "
                                "and schema_name = 'quality' and table_name = 'marts_catalog'").fetchall()
    if not exists:
        return {}
    rows = connection.execute("select table_name, column_name, description, unique_key "
                              "from build.quality.marts_catalog").fetchall()
    return {(table, column): (description, key) for table, column, description, key in rows}


def _apply_comments(connection, catalog) -> None:
    """COMMENT ON the published tables and columns from dbt docs, where they differ from what is there."""
    present = {(table, None): comment for table, comment in connection.execute(
        "select table_name, comment from duckdb_tables() where database_name = current_database() "
        "and schema_name = ?", [MARTS]).fetchall()}
    present.update({(table, column): comment for table, column, comment in connection.execute(
        "select table_name, column_name, comment from duckdb_columns() where database_name = current_database() "
        "and schema_name = ?", [MARTS]).fetchall()})
    statements = []
    for (table, column), (description, _) in catalog.items():
        if (table, column) not in present or (present[(table, column)] or None) == (description or None):
            continue
        target = f'TABLE {MARTS}."{table}"' if column is None else f'COLUMN {MARTS}."{table}"."{column}"'
        statements.append(f"COMMENT ON {target} IS '{_sql_text(description or '')}'")
    if statements:
        connection.execute(";\n".join(statements))


def _record_publication(connection, version: str, verdict: Verdict) -> None:
    connection.execute("""create or replace table publication.version as select
        ? as version, current_timestamp as published_at, ? as dbt_invocation_id, ? as marts_gate_run_id""",
                       [version, verdict.dbt_invocation_id, verdict.marts_gate_run_id])


def _free_share(path: Path) -> float:
    with closing(duckdb.connect(str(path), read_only=True)) as connection:
        free, total = connection.execute("select free_blocks, total_blocks from pragma_database_size()").fetchone()
    return free / total if total else 0.0


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
