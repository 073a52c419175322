"""One fixture file as a DuckDB table of raw JSON documents with lazily typed columns."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import orjson

from sandbox.store.columns import Kind, inference_sql, kind_from_counts, typed_value_sql
from sandbox.store.filters import Condition, FilterError, SqlFilter, as_list
from sandbox.store.key_index import KeyIndex
from sandbox.store.owner_index import OwnerIndex

_KEYSET_OPERATORS = (">", ">=", "<", "<=", "=")

if TYPE_CHECKING:
    from sandbox.store.portal import PortalStore


@dataclass(frozen=True)
class Page:
    docs: list[bytes]  # raw JSON of each record, in order
    total: int | None  # matching rows, when counted
    skipped: int  # rows the database walked past to reach the page (the cost of a deep offset)


class FixtureTable:
    """Rows keep the fixture's raw JSON; typed columns appear the first time a query needs them."""

    def __init__(self, store: "PortalStore", name: str, source: Path | None, key_field: str,
                 field_aliases: bool = False) -> None:
        self.store = store
        self.name = name
        self.source = source
        self.key_field = key_field
        # New-style methods take `ID`, `STAGE_ID` or `stageId` for the record's `id`/`stageId`.
        self.field_aliases = field_aliases
        self._columns: dict[str, tuple[str, Kind] | None] = {}
        self._column_lock = threading.Lock()
        self._aliases: dict[str, str] | None = None
        self._key_index: KeyIndex | None | bool = False  # False = not built yet; None = table not key-sorted
        self.version = 0  # bumped by every write: caches built from the rows compare it
        self._owner_index: tuple[int, str, OwnerIndex] | None = None

    # -- building ------------------------------------------------------------------------------

    def load(self) -> None:
        """Imports the fixture file (JSON array) in one streaming, parallel pass of DuckDB."""
        with self.store.writer() as con:
            con.execute(f"drop table if exists {self.name}")
            if self.source is not None and self.source.exists() and self.source.stat().st_size > 0:
                con.execute(
                    f"create table {self.name} as "
                    f"select cast(row_number() over () as bigint) as pos, cast(json as varchar) as doc "
                    f"from read_json_objects(?, format = 'array')",
                    [str(self.source)],
                )
            else:
                con.execute(f"create table {self.name} (pos bigint, doc varchar)")
        self._columns.clear()
        self._key_index = False
        self.version += 1
        self.column(self.key_field)

    def restore_columns(self, columns: dict[str, tuple[str, Kind] | None]) -> None:
        self._columns = dict(columns)

    @property
    def columns(self) -> dict[str, tuple[str, Kind] | None]:
        return dict(self._columns)

    def column(self, field: str) -> tuple[str, Kind] | None:
        """The typed column of `field`, materialised on first use; None if no record has it."""
        if field in self._columns:
            return self._columns[field]
        field = self._canonical(field)
        if field in self._columns:
            return self._columns[field]
        with self._column_lock:
            if field in self._columns:
                return self._columns[field]
            with self.store.writer() as con:
                counts = con.execute(inference_sql(field, self.name)).fetchone()
                present = con.execute(
                    f"select count(*) from {self.name} where json_exists(doc, ?)", [f'$."{field}"']
                ).fetchone()[0]
                if not present:
                    self._columns[field] = None
                    return None
                kind = kind_from_counts(*counts)
                column = f'"f_{field}"'
                con.execute(f"alter table {self.name} add column {column} {kind.sql_type}")
                con.execute(f"update {self.name} set {column} = {typed_value_sql(field, kind)}")
            self._columns[field] = (column, kind)
            self.store.remember_columns(self)
            return self._columns[field]

    def _canonical(self, field: str) -> str:
        """`STAGE_ID` -> `stageId` where the records use camelCase (crm.item.list and kin)."""
        if not self.field_aliases:
            return field
        if self._aliases is None:
            with self.store.reading():
                keys = self.store.reader().execute(
                    f"select distinct unnest(json_keys(doc)) from (select doc from {self.name} limit 1000)"
                ).fetchall()
            self._aliases = {key.replace("_", "").lower(): key for (key,) in keys}
        return self._aliases.get(field.replace("_", "").lower(), field)

    # -- reading -------------------------------------------------------------------------------

    def page(
        self,
        conditions: Iterable[Condition],
        order: list[tuple[str, str]],
        offset: int,
        limit: int | None,
        count: bool,
        strict_fields: bool = False,
    ) -> Page:
        """Rows matching `conditions` in `order`; unknown fields are ignored unless `strict_fields`."""
        conditions = list(conditions)
        fast = self._keyset_page(conditions, order, offset, limit, count)
        if fast is not None:
            return fast
        sql_filter = SqlFilter(self.column, self.store.tz)
        for condition in conditions:
            if not sql_filter.add(condition) and strict_fields:
                raise FilterError(f"Invalid filter: field '{condition.field}' is not allowed in filter")
        order_sql = self._order_sql(order, strict_fields)
        where = sql_filter.where()
        con = self.store.reader()
        with self.store.reading():
            total = None
            if count:
                total = con.execute(f"select count(*) from {self.name} where {where}", sql_filter.params).fetchone()[0]
            limit_sql = f"limit {int(limit)}" if limit is not None else ""
            offset_sql = f"offset {int(offset)}" if offset else ""
            rows = con.execute(
                f"select doc from {self.name} where {where} order by {order_sql} {limit_sql} {offset_sql}",
                sql_filter.params,
            ).fetchall()
        return Page(docs=[row[0].encode() for row in rows], total=total, skipped=offset)

    def _keyset_page(self, conditions: list[Condition], order: list[tuple[str, str]], offset: int,
                     limit: int | None, count: bool) -> Page | None:
        """The key-range fast path (see key_index.py); None when the query is not of that shape."""
        key = self.column(self.key_field)
        if key is None or key[1] is not Kind.NUMBER or limit is None:
            return None
        if order and (len(order) > 1 or self._canonical(order[0][0]) != self.key_field):
            return None
        bounds: list[tuple[str, float]] = []
        for condition in conditions:
            if self._canonical(condition.field) != self.key_field or condition.operator not in _KEYSET_OPERATORS:
                return None
            if condition.value in (None, "") and condition.operator != "=":
                continue  # an empty bound is no bound
            if as_list(condition.value) is not None or isinstance(condition.value, (dict, bool)):
                return None
            try:
                bounds.append((condition.operator, float(condition.value)))
            except (TypeError, ValueError):
                return None
        index = self._index()
        if index is None:
            return None
        lo, hi = index.bounds(bounds)
        descending = bool(order) and order[0][1] == "DESC"
        if descending:
            end = hi - offset
            start = max(lo, end - limit)
        else:
            start = lo + offset
            end = min(hi, start + limit)
        docs: list[bytes] = []
        if start < end:
            con = self.store.reader()
            with self.store.reading():
                rows = con.execute(
                    f"select doc from {self.name} where pos between ? and ? order by pos",
                    [int(index.positions[start]), int(index.positions[end - 1])],
                ).fetchall()
            docs = [row[0].encode() for row in rows]
            if descending:
                docs.reverse()
        return Page(docs=docs, total=(hi - lo) if count else None, skipped=offset)

    def owner_page(self, owner_field: str, type_field: str, owner_type: str, owners: list[Any],
                   bounds: list[tuple[str, float]], descending: bool, offset: int, limit: int, count: bool) -> Page | None:
        """Rows of `owners` (of `owner_type`) by key, from the owner index (owner_index.py); None
        when the table cannot be served that way (no such columns, several owner types)."""
        index = self._owners(owner_field, type_field)
        if index is None or index.owner_types != {owner_type}:
            return None
        try:
            values = [float(owner) for owner in owners]
        except (TypeError, ValueError):
            return None
        keys, positions = index.matching(values, bounds)
        if descending:
            positions = positions[::-1]
        chosen = positions[offset:offset + limit]
        docs: list[bytes] = []
        if chosen.size:
            con = self.store.reader()
            with self.store.reading():
                # The range lets DuckDB skip row groups by their min/max (a chunk's rows are near each other).
                listed = ", ".join(str(int(pos)) for pos in chosen)  # integers from the index, not input
                rows = con.execute(f"select pos, doc from {self.name} where pos between ? and ? and pos in ({listed})",
                                   [int(chosen.min()), int(chosen.max())]).fetchall()
            by_pos = {pos: doc for pos, doc in rows}
            docs = [by_pos[int(pos)].encode() for pos in chosen if int(pos) in by_pos]
        return Page(docs=docs, total=int(keys.size) if count else None, skipped=offset)

    def _owners(self, owner_field: str, type_field: str) -> OwnerIndex | None:
        cached = self._owner_index
        if cached is not None and cached[0] == self.version and cached[1] == owner_field:
            return cached[2]
        owner, key, kind = self.column(owner_field), self.column(self.key_field), self.column(type_field)
        if owner is None or key is None or kind is None or owner[1] is not Kind.NUMBER or key[1] is not Kind.NUMBER:
            return None
        with self._column_lock:
            version = self.version
            con = self.store.reader()
            with self.store.reading():
                arrays = con.execute(f"select {owner[0]} as o, {key[0]} as k, pos from {self.name}").fetchnumpy()
                types = {value for (value,) in con.execute(f"select distinct {kind[0]} from {self.name}").fetchall()}
            index = OwnerIndex.build(arrays["o"], arrays["k"], arrays["pos"], {str(value) for value in types})
            self._owner_index = (version, owner_field, index)
        return index

    def _index(self) -> KeyIndex | None:
        if self._key_index is False:
            with self._column_lock:
                if self._key_index is False:
                    key = self.column(self.key_field)
                    con = self.store.reader()
                    with self.store.reading():
                        arrays = con.execute(f"select {key[0]} as k, pos from {self.name} order by pos").fetchnumpy()
                    self._key_index = KeyIndex.from_arrays(arrays["k"], arrays["pos"])
        return self._key_index  # type: ignore[return-value]

    def _order_sql(self, order: list[tuple[str, str]], strict_fields: bool) -> str:
        parts = []
        for field, direction in order:
            resolved = self.column(field)
            if resolved is None:
                if strict_fields:
                    raise FilterError(f"Invalid order: field '{field}' is not allowed in order")
                continue
            column, _ = resolved
            # MySQL puts NULLs first when ascending, last when descending.
            if direction == "DESC":
                parts.append(f"{column} desc nulls last")
            else:
                parts.append(f"{column} asc nulls first")
        key = self.column(self.key_field)
        parts.append(f"{key[0]} asc" if key else "pos asc")
        return ", ".join(parts)

    def count(self) -> int:
        con = self.store.reader()
        with self.store.reading():
            return con.execute(f"select count(*) from {self.name}").fetchone()[0]

    def all_docs(self) -> list[bytes]:
        con = self.store.reader()
        with self.store.reading():
            rows = con.execute(f"select doc from {self.name} order by pos").fetchall()
        return [row[0].encode() for row in rows]

    def get(self, key: Any) -> dict | None:
        column = self.column(self.key_field)
        if column is None:
            return None
        con = self.store.reader()
        with self.store.reading():
            row = con.execute(f"select doc from {self.name} where {column[0]} = ?", [self._key_value(key)]).fetchone()
        return orjson.loads(row[0]) if row else None

    # -- writing (live mode) ---------------------------------------------------------------------

    def upsert(self, records: list[dict]) -> None:
        """Replaces records by key (or appends new ones) and refreshes their typed columns."""
        if not records:
            return
        keyed = self.column(self.key_field)
        with self.store.writer() as con:
            if keyed is None:
                # First record of an empty table: the key column does not exist yet.
                pass
            else:
                keys = [self._key_value(record[self.key_field]) for record in records]
                con.execute(f"create or replace temp table _keys as select unnest(?::{keyed[1].sql_type}[]) as k", [keys])
                con.execute(
                    f"create or replace temp table _kept as select k, pos from _keys "
                    f"left join {self.name} on {keyed[0]} = k"
                )
                con.execute(f"delete from {self.name} where {keyed[0]} in (select k from _keys)")
            next_pos = con.execute(f"select coalesce(max(pos), 0) from {self.name}").fetchone()[0]
            rows = []
            kept: dict[Any, int] = {}
            if keyed is not None:
                kept = {k: pos for k, pos in con.execute("select k, pos from _kept").fetchall() if pos is not None}
            for record in records:
                pos = kept.get(self._key_value(record[self.key_field]))
                if pos is None:
                    next_pos += 1
                    pos = next_pos
                rows.append((pos, orjson.dumps(record).decode()))
            con.executemany(f"insert into {self.name} (pos, doc) values (?, ?)", rows)
            positions = [row[0] for row in rows]
            for field, resolved in self._columns.items():
                if resolved is None:
                    continue
                column, kind = resolved
                con.execute(
                    f"update {self.name} set {column} = {typed_value_sql(field, kind)} "
                    f"where pos in (select unnest(?::bigint[]))",
                    [positions],
                )
        self._key_index = False
        self.version += 1
        # Fields that were absent before may exist now.
        self._columns = {field: value for field, value in self._columns.items() if value is not None}
        if keyed is None:
            self.column(self.key_field)

    def delete(self, keys: list[Any]) -> None:
        keyed = self.column(self.key_field)
        if keyed is None or not keys:
            return
        with self.store.writer() as con:
            con.execute(
                f"delete from {self.name} where {keyed[0]} in (select unnest(?::{keyed[1].sql_type}[]))",
                [[self._key_value(key) for key in keys]],
            )
        self._key_index = False
        self.version += 1

    def delete_where(self, field: str, values: list[Any]) -> None:
        """Deletes the rows whose `field` is one of `values` (a deal's stage history, say)."""
        resolved = self.column(field)
        if resolved is None or not values:
            return
        column, kind = resolved
        cast = [float(value) for value in values] if kind is Kind.NUMBER else [str(value) for value in values]
        with self.store.writer() as con:
            con.execute(f"delete from {self.name} where {column} in (select unnest(?::{kind.sql_type}[]))", [cast])
        self._key_index = False
        self.version += 1

    def _key_value(self, key: Any) -> Any:
        keyed = self.column(self.key_field)
        return float(key) if keyed is not None and keyed[1] is Kind.NUMBER else str(key)
