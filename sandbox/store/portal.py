"""A portal directory opened for serving: every fixture file as a queryable table.

The portal can be as large as 1,000,000 deals, so nothing is held as Python objects: DuckDB
keeps the raw JSON records (in memory or in an index file beside the portal) and a page is a
query. Live mode writes through the same tables, so the portal changes like a real one.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterator

import duckdb
import orjson

from sandbox import fixture
from sandbox.store.columns import Kind
from sandbox.store.filters import parse_offset
from sandbox.store.table import FixtureTable

# Record key of each method family; everything else is keyed by "ID".
_KEY_FIELDS = {
    "crm.item.list": "id",
    "crm.category.list": "id",
    "catalog.product.list": "id",
    "crm.currency.list": "CURRENCY",
}
# New-style (camelCase) methods, whose filters and orders also take upper-case field names.
# Product rows too: `crm.item.productrow.list` filters the legacy rows by `ownerId`, `id`...
_ALIASED_METHODS = frozenset({"crm.item.list", "crm.category.list", "catalog.product.list",
                              "crm.deal.productrows.get"})
INDEX_VERSION = "1"


class _ReadWriteLock:
    """Many readers or one writer: live changes and column materialisation are atomic to readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._readers:
                self._cond.wait()
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


def table_name(file_name: str) -> str:
    stem = file_name[: -len(".json")] if file_name.endswith(".json") else file_name
    return "t_" + "".join(ch if ch.isalnum() else "_" for ch in stem)


class PortalStore:
    """Opens a portal directory; `index_path=None` keeps the index in memory."""

    def __init__(self, portal_dir: Path, index_path: Path | None = None, progress=None) -> None:
        self.portal_dir = Path(portal_dir)
        if not self.portal_dir.is_dir():
            raise FileNotFoundError(f"portal directory not found: {self.portal_dir}")
        self.meta = fixture.PortalMeta.read(self.portal_dir)
        self.tz = parse_offset(self.meta.timezone_offset)
        self._lock = _ReadWriteLock()
        self._local = threading.local()
        self._tables: dict[str, FixtureTable] = {}
        self._tables_lock = threading.Lock()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._cursors_lock = threading.Lock()
        self._fields: dict[str, dict] = {}
        self._progress = progress or (lambda message: None)
        self.index_path = index_path
        if index_path is not None:
            index_path.parent.mkdir(parents=True, exist_ok=True)
        reuse = index_path is not None and index_path.exists() and self._index_matches(index_path)
        if index_path is not None and index_path.exists() and not reuse:
            index_path.unlink()
            Path(str(index_path) + ".wal").unlink(missing_ok=True)
        self._con = duckdb.connect(str(index_path) if index_path else ":memory:")
        self._con.execute("set TimeZone = 'UTC'")
        if index_path is not None:
            # The index lives on disk: keep the server's memory modest and let DuckDB spill.
            self._con.execute("set memory_limit = '2GB'")
        self._con.execute("create table if not exists _sandbox_meta (key varchar primary key, value varchar)")
        self._con.execute(
            "create table if not exists _sandbox_columns (tbl varchar, field varchar, kind varchar)"
        )
        self._load_fields()
        if reuse:
            self._restore()
        else:
            self._build()
        self.clock = self._initial_clock()

    # -- connections and locking -----------------------------------------------------------------

    def reader(self) -> duckdb.DuckDBPyConnection:
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._con.cursor()
            self._local.cursor = cursor
            with self._cursors_lock:
                self._cursors.append(cursor)
        return cursor

    def reading(self):
        return self._lock.read()

    @contextlib.contextmanager
    def writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock.write():
            yield self.reader()

    # -- tables ------------------------------------------------------------------------------------

    def table(self, method: str, entity_type_id: int | None = None) -> FixtureTable:
        """The table behind a list method; an absent fixture file is an empty table."""
        path = fixture.fixture_path(self.portal_dir, method, entity_type_id)
        name = table_name(path.name)
        existing = self._tables.get(name)
        if existing is not None:
            return existing
        with self._tables_lock:
            if name not in self._tables:
                table = self._new_table(method, path)
                table.load()
                self._tables[name] = table
            return self._tables[name]

    def _new_table(self, method: str, path: Path) -> FixtureTable:
        return FixtureTable(self, table_name(path.name), path, _KEY_FIELDS.get(method, "ID"),
                            field_aliases=method in _ALIASED_METHODS)

    def fields(self, method: str) -> dict | None:
        """The `crm.<entity>.fields` map, or None when the portal has no such file."""
        return self._fields.get(method)

    def remember_columns(self, table: FixtureTable) -> None:
        """Keeps materialised column kinds in the index, so a reused index needs no re-inference."""
        with self.writer() as con:
            con.execute("delete from _sandbox_columns where tbl = ?", [table.name])
            rows = [
                (table.name, field, resolved[1].value if resolved else "")
                for field, resolved in table.columns.items()
            ]
            if rows:
                con.executemany("insert into _sandbox_columns values (?, ?, ?)", rows)

    def _fixture_files(self) -> list[Path]:
        return sorted(
            path for path in self.portal_dir.glob("*.json")
            if path.name != fixture.PORTAL_META_FILE and not any(
                path.name == f"{method}.json" for method in fixture.FIELDS_METHODS
            )
        )

    def _build(self) -> None:
        started = time.monotonic()
        for path in self._fixture_files():
            method, _ = _method_of(path.name)
            table = self._new_table(method, path)
            file_started = time.monotonic()
            table.load()
            self._tables[table.name] = table
            if time.monotonic() - file_started > 2:  # only the big files are worth a line
                self._progress(f"indexed {path.name}: {table.count():,} records "
                               f"in {time.monotonic() - file_started:.0f}s")
        self._con.execute("delete from _sandbox_meta")
        self._con.executemany(
            "insert into _sandbox_meta values (?, ?)",
            [("signature", self._signature()), ("version", INDEX_VERSION), ("live_step", "0")],
        )
        self._progress(f"indexed {len(self._tables)} files in {time.monotonic() - started:.1f}s")

    def _restore(self) -> None:
        columns: dict[str, dict[str, tuple[str, Kind] | None]] = {}
        for tbl, field, kind in self._con.execute("select tbl, field, kind from _sandbox_columns").fetchall():
            columns.setdefault(tbl, {})[field] = (f'"f_{field}"', Kind(kind)) if kind else None
        for path in self._fixture_files():
            method, _ = _method_of(path.name)
            table = self._new_table(method, path)
            table.restore_columns(columns.get(table.name, {}))
            self._tables[table.name] = table
        self._progress(f"reusing index {self.index_path}")

    def _signature(self) -> str:
        digest = hashlib.sha256(INDEX_VERSION.encode())
        for path in sorted(self.portal_dir.glob("*.json")):
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
        return digest.hexdigest()

    def _index_matches(self, index_path: Path) -> bool:
        try:
            with duckdb.connect(str(index_path), read_only=True) as con:
                meta = dict(con.execute("select key, value from _sandbox_meta").fetchall())
        except duckdb.Error:
            return False
        # An index that live mode has changed is no longer the fixture: rebuild it.
        return meta.get("signature") == self._signature() and meta.get("live_step") == "0"

    def mark_live_step(self, step: int) -> None:
        with self.writer() as con:
            con.execute("insert or replace into _sandbox_meta values ('live_step', ?)", [str(step)])

    def _load_fields(self) -> None:
        for method in fixture.FIELDS_METHODS:
            path = self.portal_dir / f"{method}.json"
            if path.exists():
                self._fields[method] = orjson.loads(path.read_bytes())

    # -- the portal clock -----------------------------------------------------------------------

    def _initial_clock(self) -> datetime:
        if self.meta.now:
            return datetime.fromisoformat(self.meta.now)
        return datetime.now(self.tz).replace(microsecond=0)

    def now(self) -> datetime:
        return self.clock

    def advance_clock(self, delta: timedelta) -> datetime:
        self.clock = self.clock + delta
        return self.clock

    def format_datetime(self, moment: datetime) -> str:
        """ISO 8601 with the portal's offset, as the API writes datetimes."""
        return moment.astimezone(self.tz).replace(microsecond=0).isoformat()

    # -- export ------------------------------------------------------------------------------------

    def dump(self, out_dir: Path) -> None:
        """Writes the current state in the fixture format: the truth a live-mode test compares to."""
        out_dir.mkdir(parents=True, exist_ok=True)
        for table in self._tables.values():
            if table.source is None or not (table.source.exists() or table.count()):
                continue
            with open(out_dir / table.source.name, "wb") as handle:
                handle.write(b"[\n")
                handle.write(b",\n".join(table.all_docs()))
                handle.write(b"\n]\n")
        for method, fields in self._fields.items():
            (out_dir / f"{method}.json").write_bytes(orjson.dumps(fields))
        meta = {
            "timezone_offset": self.meta.timezone_offset,
            "now": self.format_datetime(self.clock),
            "seed": self.meta.seed,
            "scale": self.meta.scale,
        }
        (out_dir / fixture.PORTAL_META_FILE).write_bytes(orjson.dumps(meta, option=orjson.OPT_INDENT_2))

    def close(self) -> None:
        for cursor in self._cursors:
            cursor.close()
        self._cursors.clear()
        self._con.close()


def _method_of(file_name: str) -> tuple[str, Any]:
    stem = file_name[: -len(".json")]
    for method in fixture.ENTITY_TYPED_METHODS:
        if stem.startswith(method + "."):
            suffix = stem[len(method) + 1:]
            return method, fixture.ENTITY_TYPE_IDS.get(suffix, suffix)
    return stem, None
