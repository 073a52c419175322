"""Compares the raw layer with a portal's fixture files, field by field, independently of the
pipeline's own typing code: expected values are derived from the fixture and the column type."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from dlt.common.normalizers.naming.snake_case import NamingConvention

from sandbox import fixture

NAMING = NamingConvention()
# raw table -> (fixture method, entity type id, record key, select-hidden fields not loaded)
TABLES = {
    "leads": ("crm.lead.list", None, "ID"),
    "deals": ("crm.deal.list", None, "ID"),
    "contacts": ("crm.contact.list", None, "ID"),
    "companies": ("crm.company.list", None, "ID"),
    "activities": ("crm.activity.list", None, "ID"),
    "invoices": ("crm.item.list", 31, "id"),
    "deal_stage_history": ("crm.stagehistory.list", 2, "ID"),
    "lead_stage_history": ("crm.stagehistory.list", 1, "ID"),
    "calls": ("voximplant.statistic.get", None, "ID"),
    "users": ("user.get", None, "ID"),
    "departments": ("department.get", None, "ID"),
    "products": ("catalog.product.list", None, "id"),
    "deal_product_rows": ("crm.deal.productrows.get", None, "ID"),
}
# Fields a list method does not return with our select (reference §5.0): not expected in raw.
NOT_SELECTED = {
    "activities": {"COMMUNICATIONS", "FILES"},
    # crm.item.productrow.list (the bulk read) has no reserves, catalogue name or description.
    "deal_product_rows": {"ORIGINAL_PRODUCT_NAME", "PRODUCT_DESCRIPTION", "RESERVE_ID", "DATE_RESERVE_END",
                          "RESERVE_QUANTITY"},
}


def fixture_records(portal: Path, table: str) -> list[dict[str, Any]]:
    method, entity_type_id, _ = TABLES[table]
    path = fixture.fixture_path(portal, method, entity_type_id)
    return json.loads(path.read_text()) if path.exists() else []


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def expected_value(value: Any, column_type: str) -> Any:
    """What the fixture value must have become in a column of this DuckDB type."""
    kind = column_type.upper()
    if kind == "JSON":
        return value  # nested values are kept whole, empty ones too
    if kind == "VARCHAR" and value == "":
        return ""  # text keeps the API's empty strings
    if _empty(value):
        return None
    if kind in ("BIGINT", "INTEGER"):
        return int(float(value))
    if kind.startswith("DECIMAL") or kind == "NUMERIC":
        return Decimal(str(value))
    if kind == "DOUBLE":
        return float(value)
    if kind == "BOOLEAN":
        return str(value).lower() in ("y", "true", "1")
    if kind == "TIMESTAMP WITH TIME ZONE":
        return datetime.fromisoformat(str(value))
    if kind == "DATE":
        return str(value)[:10]
    return str(value) if not isinstance(value, (dict, list)) else value


def actual_value(value: Any, column_type: str) -> Any:
    if value is None:
        return None
    kind = column_type.upper()
    if kind == "DATE":
        return value.isoformat()
    if kind == "JSON":
        return json.loads(value) if isinstance(value, str) else value
    if isinstance(value, datetime):
        return value  # aware datetimes compare as instants
    return value


# PostgreSQL's information_schema type names, as DuckDB names them.
_PG_TYPES = {"bigint": "BIGINT", "integer": "INTEGER", "numeric": "DECIMAL", "double precision": "DOUBLE",
             "boolean": "BOOLEAN", "timestamp with time zone": "TIMESTAMP WITH TIME ZONE", "date": "DATE",
             "character varying": "VARCHAR", "text": "VARCHAR", "jsonb": "JSON", "json": "JSON"}


class Db:
    """The few queries the comparison needs, on DuckDB (a connection) or PostgreSQL (psycopg2)."""

    def __init__(self, con) -> None:
        self.con = con
        self.postgres = not hasattr(con, "execute")

    def query(self, sql: str, params: list[Any] | None = None) -> tuple[list[str], list[tuple]]:
        if self.postgres:
            with self.con.cursor() as cursor:
                cursor.execute(sql.replace("?", "%s"), params or [])
                return [d[0] for d in cursor.description], cursor.fetchall()
        cursor = self.con.execute(sql, params or [])
        return [d[0] for d in cursor.description], cursor.fetchall()

    def columns(self, schema: str, table: str) -> dict[str, str]:
        _, rows = self.query("select column_name, data_type from information_schema.columns "
                             "where table_schema = ? and table_name = ?", [schema, table])
        return {name: _PG_TYPES.get(kind, kind.upper()) if self.postgres else kind.upper().replace("DECIMAL(20,4)", "DECIMAL")
                for name, kind in rows}


def raw_rows(con, schema: str, table: str, portal_id: str) -> tuple[dict[str, str], dict[int, dict[str, Any]]]:
    db = con if isinstance(con, Db) else Db(con)
    columns = db.columns(schema, table)
    names, values_list = db.query(f"select * from {schema}.{table} where portal_id = ?", [portal_id])
    rows = {}
    for values in values_list:
        row = dict(zip(names, values))
        rows[int(row["id"])] = row
    return columns, rows


def child_rows(con, schema: str, table: str, field: str) -> dict[str, list[dict[str, Any]]]:
    db = con if isinstance(con, Db) else Db(con)
    child = f"{table}__{NAMING.normalize_identifier(field)}"
    _, exists = db.query("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                         [schema, child])
    if not exists[0][0]:
        return {}
    names, values_list = db.query(f"select * from {schema}.{child} order by _dlt_list_idx")
    grouped: dict[str, list[dict[str, Any]]] = {}
    for values in values_list:
        row = dict(zip(names, values))
        grouped.setdefault(row["_dlt_parent_id"], []).append(row)
    return grouped


def compare_table(con, schema: str, portal: Path, table: str, portal_id: str,
                  skip_ids: set[int] | None = None) -> list[str]:
    """Differences between raw `table` and the fixture (empty list = equal)."""
    records = fixture_records(portal, table)
    key = TABLES[table][2]
    columns, rows = raw_rows(con, schema, table, portal_id)
    problems = []
    # `_deleted`: a product-row tombstone (a deal without rows), kept by the first load only.
    live = {record_id: row for record_id, row in rows.items() if not row.get("_is_deleted") and not row.get("_deleted")}
    expected_ids = {int(record[key]) for record in records} - (skip_ids or set())
    if set(live) != expected_ids:
        problems.append(f"{table}: ids differ: missing {sorted(expected_ids - set(live))[:5]}, "
                        f"extra {sorted(set(live) - expected_ids)[:5]}")
    children: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for record in records:
        record_id = int(record[key])
        row = live.get(record_id)
        if row is None:
            continue
        for field, value in record.items():
            if field in NOT_SELECTED.get(table, set()):
                continue
            column = NAMING.normalize_identifier(field)
            if isinstance(value, list) and value and isinstance(value[0], dict) and columns.get(column) != "JSON":
                nested = children.setdefault(field, child_rows(con, schema, table, field))
                got = [{k: v for k, v in child.items() if not k.startswith("_dlt")}
                       for child in nested.get(row["_dlt_id"], [])]
                want = [{NAMING.normalize_identifier(k): v for k, v in item.items()} for item in value]
                if got != want:
                    problems.append(f"{table} {record_id} {field}: {got} != {want}")
                continue
            column = NAMING.normalize_identifier(field)
            if isinstance(value, list) and columns.get(column) != "JSON":  # list of scalars: child table
                nested = children.setdefault(field, child_rows(con, schema, table, field))
                got = [child["value"] for child in nested.get(row["_dlt_id"], [])]
                if got != value:
                    problems.append(f"{table} {record_id} {field}: {got} != {value}")
                continue
            if column not in columns:
                if not _empty(value):
                    problems.append(f"{table} {record_id}: column {column} missing for value {value!r}")
                continue
            want = expected_value(value, columns[column])
            got = actual_value(row[column], columns[column])
            if want != got:
                problems.append(f"{table} {record_id} {field}: raw {got!r} != fixture {value!r}")
        if len(problems) > 20:
            break
    return problems
