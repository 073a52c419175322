"""The raw gate, per portal: is what we loaded whole and sane? Runs after extraction, before dbt.

Keys (dlt's primary keys) not null and unique; live row counts against the last passing run; codes
found in the portal's dictionaries; datetimes within bounds; amounts not negative; deals still being
modified. Every check reads the portal's live rows (not marked deleted) in SQL."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import great_expectations.expectations as gxe
import sqlalchemy as sa

from expectations.config import GateConfig
from expectations.history import table_exists
from expectations.suites import GateAsset
from expectations.warehouse_sql import RAW_SCHEMA, quote_literal

R = RAW_SCHEMA
# dlt's own tables, and the reconciliation's scratch list of IDs, are not data
NOT_CHECKED = ("_dlt_", "portal_ids")
# who owns a table's records: the steward's report names them
OWNER_COLUMNS = {"deals": "assigned_by_id", "leads": "assigned_by_id", "contacts": "assigned_by_id",
                 "companies": "assigned_by_id", "invoices": "assigned_by_id", "activities": "responsible_id",
                 "calls": "portal_user_id"}
DATETIME_COLUMNS = {"deals": ("date_create", "date_modify"), "leads": ("date_create", "date_modify"),
                    "contacts": ("date_create", "date_modify"), "companies": ("date_create", "date_modify"),
                    "activities": ("created", "last_updated"), "invoices": ("created_time", "updated_time"),
                    "deal_stage_history": ("created_time",), "lead_stage_history": ("created_time",),
                    "calls": ("call_start_date",)}
AMOUNT_COLUMNS = {"deals": ("opportunity",), "leads": ("opportunity",), "invoices": ("opportunity",),
                  "deal_product_rows": ("price", "quantity"), "calls": ("cost",)}
FRESHNESS_COLUMN = ("deals", "date_modify")


@dataclass(frozen=True)
class Reference:
    """A code in `table.column` that must be one of the portal's dictionary values."""

    table: str
    column: str
    what: str
    dictionary: str  # select of the allowed values, :portal bound


_USERS = f"select id from {R}.users where portal_id = :portal"
_SOURCES = f"select status_id from {R}.statuses where portal_id = :portal and entity_id = 'SOURCE'"
_CURRENCIES = f"select currency from {R}.currencies where portal_id = :portal"
REFERENCES = (
    Reference("deals", "category_id", "pipeline", f"select id from {R}.deal_categories where portal_id = :portal"),
    Reference("deals", "stage_id", "deal stage",
              f"select status_id from {R}.statuses where portal_id = :portal and entity_id like 'DEAL_STAGE%'"),
    Reference("deals", "source_id", "source", _SOURCES),
    Reference("deals", "currency_id", "currency", _CURRENCIES),
    Reference("deals", "assigned_by_id", "assigned user", _USERS),
    Reference("leads", "status_id", "lead status",
              f"select status_id from {R}.statuses where portal_id = :portal and entity_id = 'STATUS'"),
    Reference("leads", "source_id", "source", _SOURCES),
    Reference("leads", "currency_id", "currency", _CURRENCIES),
    Reference("leads", "assigned_by_id", "assigned user", _USERS),
    Reference("contacts", "assigned_by_id", "assigned user", _USERS),
    Reference("companies", "assigned_by_id", "assigned user", _USERS),
    Reference("activities", "responsible_id", "responsible user", _USERS),
    Reference("calls", "portal_user_id", "user", _USERS),
    Reference("invoices", "stage_id", "invoice stage",
              f"select status_id from {R}.statuses where portal_id = :portal and entity_id like 'SMART_INVOICE_STAGE%'"),
)
# (table, column, parent table, parent key): records pointing at a record the portal did not give us
ORPHANS = (
    ("deal_product_rows", "owner_id", "deals", "id"),
    ("deal_stage_history", "owner_id", "deals", "id"),
    ("lead_stage_history", "owner_id", "leads", "id"),
    ("invoices", "parent_id2", "deals", "id"),
    ("deals", "company_id", "companies", "id"),
    ("deals", "contact_id", "contacts", "id"),
)


def raw_tables(connection: sa.Connection) -> dict[str, dict]:
    """The raw tables dlt created, with their columns and primary keys, from dlt's stored schema."""
    stored = connection.execute(sa.text(
        f"select schema from {R}._dlt_version where schema_name = 'bitrix24' order by inserted_at desc limit 1")).scalar()
    tables = json.loads(stored)["tables"] if stored else {}
    return {name: table for name, table in tables.items()
            if not name.startswith(NOT_CHECKED) and table.get("columns") and table_exists(connection, R, name)}


def build_raw_assets(connection: sa.Connection, config: GateConfig, portal_id: str, now: datetime,
                     previous_volumes: dict[str, int]) -> list[GateAsset]:
    assets = []
    tables = raw_tables(connection)
    for table, schema in sorted(tables.items()):
        columns = schema["columns"]
        keys = [name for name, column in columns.items() if column.get("primary_key")]
        if not keys or "portal_id" not in columns:
            continue
        asset = GateAsset(name=f"raw {portal_id} {table}", portal_id=portal_id, table=table,
                          query=_live_rows_query(table, columns, keys, portal_id))
        _keys(asset, keys, config)
        _volume(asset, config, previous_volumes.get(table))
        _datetimes(asset, columns, config, now)
        _amounts(asset, columns, config)
        _freshness(asset, config, now)
        assets.append(asset)
    by_table = {asset.table: asset for asset in assets}
    for reference in REFERENCES:
        if reference.table in by_table and reference.column in tables[reference.table]["columns"]:
            _reference(by_table[reference.table], reference, connection, config)
    for table, column, parent, parent_key in ORPHANS:
        if table in by_table and parent in by_table and column in tables[table]["columns"]:
            _orphans(by_table[table], column, parent, parent_key, config)
    return assets


def _live_rows_query(table: str, columns: dict, keys: list[str], portal_id: str) -> str:
    record_keys = [key for key in keys if key != "portal_id"] or keys
    gate_record_id = " || ':' || ".join(f"cast({key} as varchar)" for key in record_keys)
    owner = OWNER_COLUMNS.get(table)
    owner_id = f"cast({owner} as varchar)" if owner and owner in columns else "cast(null as varchar)"
    live = " and not coalesce(_is_deleted, false)" if "_is_deleted" in columns else ""
    return (f"select *, {gate_record_id} as gate_record_id, {owner_id} as gate_owner_id from {R}.{table} "
            f"where portal_id = {quote_literal(portal_id)}{live}")


def _keys(asset: GateAsset, keys: list[str], config: GateConfig) -> None:
    severity = config.severity("keys", asset.portal_id, asset.table)
    for key in keys:
        if key == "portal_id":  # the asset's rows are one portal's: never NULL there
            continue
        asset.expect(gxe.ExpectColumnValuesToNotBeNull, check="keys", column=key, severity=severity,
                     what=f"key {key} not null")
    if len(keys) == 1:
        asset.expect(gxe.ExpectColumnValuesToBeUnique, check="keys", column=keys[0], severity=severity,
                     what=f"key {keys[0]} unique")
    else:
        asset.expect(gxe.ExpectCompoundColumnsToBeUnique, check="keys", column=None, severity=severity,
                     what=f"key ({', '.join(keys)}) unique", column_list=keys)


def _volume(asset: GateAsset, config: GateConfig, previous: int | None) -> None:
    """Always counted (the count is kept for the next run); bounded below once a passing run counted it."""
    settings = config.setting("volume", asset.portal_id, asset.table)
    share = float(settings.get("max_drop_share", 0.2))
    minimum = math.ceil(previous * (1 - share)) if previous else 0
    what = (f"live rows at least {minimum:,} ({previous:,} at the last passing run, at most {share:.0%} fewer)"
            if previous else "live rows counted (no passing run to compare with yet)")
    asset.expect(gxe.ExpectTableRowCountToBeBetween, check="volume", severity=settings.get("severity", "error"),
                 what=what, min_value=minimum)


def _datetimes(asset: GateAsset, columns: dict, config: GateConfig, now: datetime) -> None:
    settings = config.setting("datetimes", asset.portal_id, asset.table)
    earliest = datetime.fromisoformat(str(settings.get("earliest", "2000-01-01T00:00:00+00:00")))
    latest = now + timedelta(hours=float(settings.get("future_tolerance_hours", 48)))
    for column in DATETIME_COLUMNS.get(asset.table, ()):
        if column in columns:
            asset.expect(gxe.ExpectColumnValuesToBeBetween, check="datetimes", column=column,
                         severity=settings.get("severity", "error"), min_value=earliest, max_value=latest,
                         what=f"between {earliest:%Y-%m-%d} and {_utc(latest):%Y-%m-%d %H:%M} UTC")


def _amounts(asset: GateAsset, columns: dict, config: GateConfig) -> None:
    severity = config.severity("amounts", asset.portal_id, asset.table)
    for column in AMOUNT_COLUMNS.get(asset.table, ()):
        if column in columns:
            asset.expect(gxe.ExpectColumnValuesToBeBetween, check="amounts", column=column, severity=severity,
                         min_value=0, what="not negative")


def _freshness(asset: GateAsset, config: GateConfig, now: datetime) -> None:
    table, column = FRESHNESS_COLUMN
    if asset.table != table:
        return
    settings = config.setting("freshness", asset.portal_id, table)
    if settings.get("max_age_hours") is None:
        return
    oldest_allowed = now - timedelta(hours=float(settings["max_age_hours"]))
    asset.expect(gxe.ExpectColumnMaxToBeBetween, check="freshness", column=column,
                 severity=settings.get("severity", "warning"), min_value=oldest_allowed,
                 what=f"newest {column.upper()} after {_utc(oldest_allowed):%Y-%m-%d %H:%M} UTC "
                      f"({settings['max_age_hours']} h before the gate's clock)")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def _reference(asset: GateAsset, reference: Reference, connection: sa.Connection, config: GateConfig) -> None:
    """A few bad records warn; more than 1 - error_mostly of them fail."""
    allowed = [row[0] for row in connection.execute(sa.text(reference.dictionary), {"portal": asset.portal_id})]
    error_mostly = float(config.setting("references", asset.portal_id, asset.table).get("error_mostly", 0.95))
    what = f"{reference.what} exists in the portal's dictionary"
    asset.expect(gxe.ExpectColumnValuesToBeInSet, check="references", column=reference.column, severity="warning",
                 value_set=allowed, what=what)
    asset.expect(gxe.ExpectColumnValuesToBeInSet, check="references", column=reference.column, severity="error",
                 value_set=allowed, mostly=error_mostly, what=f"{what} for at least {error_mostly:.0%} of records")


def _orphans(asset: GateAsset, column: str, parent: str, parent_key: str, config: GateConfig) -> None:
    query = (f"select batch.gate_record_id, batch.gate_owner_id from {{batch}} as batch "
             f"left join {R}.{parent} as parent on parent.portal_id = batch.portal_id "
             f"and parent.{parent_key} = batch.{column} "
             f"where batch.{column} is not null and batch.{column} <> 0 and parent.{parent_key} is null")
    asset.expect(gxe.UnexpectedRowsExpectation, check="references", column=column, severity="warning",
                 unexpected_rows_query=query, what=f"points at a {parent[:-1].replace('_', ' ')} the portal gave us")
