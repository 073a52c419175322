"""Deleted in the portal, marked deleted in the raw layer.

The list methods do not report deletions, so incremental loads cannot see them. This pass reads
every ID the portal still has (keyset pages of IDs only: 2,500 IDs a request), loads them into
`portal_ids`, and marks raw rows whose ID is gone: `_is_deleted = true`, `_deleted_at` set, and a
row in `deleted_records` for the stewards. A record that comes back (restored from the recycle
bin) is merged again by the next load with `_is_deleted = false`. Runs on demand
(`crm-warehouse extract --reconcile`) and on a schedule.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Iterator, Sequence

import dlt

from pipelines.bitrix24.entities import ENTITIES, EntitySpec, LoadRule
from pipelines.bitrix24.keyset import read_keyset
from pipelines.bitrix24.source import PortalContext, column_name
from pipelines.bitrix24.stats import RECONCILE

# Tables reconciled by ID, and their children marked with them (deleted deal -> its product rows).
RECONCILED = tuple(spec for spec in ENTITIES if spec.rule is not LoadRule.DICTIONARY)
CHILDREN = {"deals": ("deal_product_rows", "owner_id")}


def portal_ids_resource(context: PortalContext, specs: Sequence[EntitySpec]) -> Any:
    def read() -> Iterator[Any]:
        for spec in specs:
            query = replace(spec.query, params={**spec.query.params, "select": [spec.query.key]})
            if spec.query.method in ("user.get", "department.get", "voximplant.statistic.get"):
                query = spec.query
            for page in read_keyset(context.transport, query):
                context.stats.add(f"{RECONCILE}{spec.name}", rows=len(page), requests=1)
                yield [{"portal_id": context.portal_id, "entity": spec.name, "id": int(row[spec.query.key])}
                       for row in page]

    return dlt.resource(read, name="portal_ids", write_disposition={"disposition": "merge", "strategy": "delete-insert"},
                        primary_key=("portal_id", "entity", "id"), merge_key=("portal_id", "entity"),
                        columns={"id": {"data_type": "bigint"}})


def mark_deleted(pipeline: dlt.Pipeline, portal_id: str, specs: Sequence[EntitySpec],
                 ids_load_id: str | None) -> dict[str, int]:
    """Flags rows whose ID the portal no longer has; returns the number newly flagged per table.

    Only the IDs read by this run count (`ids_load_id`: the load that wrote them; None when the portal
    listed no ID at all). An entity the portal now lists empty leaves no rows in that load, and the
    merge would keep its previous IDs: every record of it is gone, and the raw gate's volume check
    decides whether that is believable."""
    now = datetime.now(timezone.utc)
    flagged: dict[str, int] = {}
    with pipeline.sql_client() as client:
        ids = client.make_qualified_table_name("portal_ids")
        deleted = client.make_qualified_table_name("deleted_records")
        client.execute_sql(
            f"create table if not exists {deleted} (portal_id varchar, entity varchar, record_id bigint, "
            f"deleted_at timestamp with time zone)"
        )
        existing = {name for (name,) in client.execute_sql(
            "select table_name from information_schema.tables where table_schema = %s", client.dataset_name)}
        for spec in specs:
            if spec.name not in existing:  # the portal never had such records: nothing to mark
                continue
            table = client.make_qualified_table_name(spec.name)
            gone = (f"portal_id = %s and not exists (select 1 from {ids} p where p.portal_id = %s "
                    f"and p.entity = %s and p.id = {table}.id and p._dlt_load_id = %s)")
            client.execute_sql(
                f"insert into {deleted} select portal_id, %s, id, %s from {table} "
                f"where {gone} and not coalesce(_is_deleted, false)",
                spec.name, now, portal_id, portal_id, spec.name, ids_load_id,
            )
            rows = client.execute_sql(
                f"select count(*) from {table} where {gone} and not coalesce(_is_deleted, false)",
                portal_id, portal_id, spec.name, ids_load_id,
            )
            flagged[spec.name] = int(rows[0][0])
            client.execute_sql(
                f"update {table} set _is_deleted = true, _deleted_at = %s "
                f"where {gone} and not coalesce(_is_deleted, false)",
                now, portal_id, portal_id, spec.name, ids_load_id,
            )
            child = CHILDREN.get(spec.name)
            if child:
                child_table = client.make_qualified_table_name(child[0])
                owner = column_name(child[1])
                client.execute_sql(
                    f"update {child_table} set _is_deleted = true, _deleted_at = %s where portal_id = %s "
                    f"and not coalesce(_is_deleted, false) and {owner} in "
                    f"(select id from {table} where portal_id = %s and _is_deleted)",
                    now, portal_id, portal_id,
                )
    return flagged
