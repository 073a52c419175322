"""A full load of a generated portal equals the fixture, entity by entity, field by field."""

from __future__ import annotations

import duckdb
import pytest

from tests.pipelines.conftest import duckdb_warehouse, extract
from tests.pipelines.raw_compare import TABLES, compare_table


@pytest.fixture(scope="module")
def loaded(tiny_portal, serve_module, tmp_path_factory):
    sandbox = serve_module(tiny_portal)
    warehouse = duckdb_warehouse(tmp_path_factory.mktemp("full-load"))
    result = extract(sandbox, warehouse)
    con = duckdb.connect(str(warehouse.duckdb_path), read_only=True)
    yield result, con
    con.close()


@pytest.mark.parametrize("table", sorted(TABLES))
def test_raw_table_equals_fixture(loaded, tiny_portal, table):
    result, con = loaded
    assert compare_table(con, "raw_bitrix24", tiny_portal, table, result.portal_id) == []


def test_every_row_carries_the_portal_id_and_no_issues(loaded):
    result, con = loaded
    assert result.portal_id == "127.0.0.1"
    for table in TABLES:
        portals = con.execute(f"select distinct portal_id from raw_bitrix24.{table}").fetchall()
        assert portals == [("127.0.0.1",)], table
    assert result.stats.issues == 0


def test_types_are_real_types(loaded):
    _, con = loaded
    types = {name: kind for name, kind, *_ in con.execute("describe raw_bitrix24.deals").fetchall()}
    assert types["id"] == "BIGINT" and types["opportunity"].startswith("DECIMAL")
    assert types["date_modify"] == "TIMESTAMP WITH TIME ZONE" and types["closedate"] == "DATE"
    assert types["closed"] == "BOOLEAN" and types["is_return_customer"] == "BOOLEAN"


def test_custom_fields_keep_their_names_and_get_decoded_values(loaded, tiny_portal):
    import json

    _, con = loaded
    meta = json.loads((tiny_portal / "crm.deal.fields.json").read_text())
    enum_field = next(name for name, field in meta.items() if field.get("isDynamic") and field["type"] == "enumeration"
                      and field.get("listLabel") == "Payment form")
    items = {item["ID"]: item["VALUE"] for item in meta[enum_field]["items"]}
    column = enum_field.lower()
    rows = con.execute(f"select {column}, {column}_value from raw_bitrix24.deals where {column} is not null").fetchall()
    assert rows and all(items[code] == value for code, value in rows)
    labels = con.execute("select label from raw_bitrix24.field_metadata where entity = 'deal' and field = ?",
                         [enum_field]).fetchall()
    assert labels == [("Payment form",)]


def test_product_rows_and_dictionaries(loaded, tiny_portal):
    import json

    _, con = loaded
    rows = json.loads((tiny_portal / "crm.deal.productrows.get.json").read_text())
    count = con.execute("select count(*), count(distinct owner_id) from raw_bitrix24.deal_product_rows "
                        "where not _deleted").fetchone()
    assert count == (len(rows), len({row["OWNER_ID"] for row in rows}))
    statuses = json.loads((tiny_portal / "crm.status.list.json").read_text())
    assert con.execute("select count(*) from raw_bitrix24.statuses").fetchone()[0] == len(statuses)
    assert con.execute("select count(*) from raw_bitrix24.deal_categories").fetchone()[0] == 2
