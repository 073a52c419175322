"""The dbt staging layer builds on a freshly extracted portal, tests green, with one row per record.

A tiny generated portal is served by the sandbox, extracted into a temporary DuckDB file and built
with `dbt build --select staging` through dbt's Python API, the way the orchestration runs it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.dbt.dbt_runner import dbt, not_passed, statuses
from tests.pipelines.conftest import duckdb_warehouse, extract


def records(portal: Path, name: str) -> list[dict]:
    return json.loads((portal / name).read_text())


@pytest.fixture(scope="module")
def built(tiny_portal, serve_module, tmp_path_factory):
    sandbox = serve_module(tiny_portal)
    directory = tmp_path_factory.mktemp("dbt-staging")
    warehouse = duckdb_warehouse(directory)
    extract(sandbox, warehouse)
    with pytest.MonkeyPatch.context() as monkeypatch:
        result = dbt(["build", "--select", "staging"], warehouse.duckdb_path, directory, monkeypatch)
    return result, warehouse.duckdb_path


@pytest.fixture
def con(built):
    _, path = built
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


def test_build_succeeds_with_every_test_passing(built):
    result, _ = built
    by_status = statuses(result)
    assert result.success, by_status
    assert set(by_status) <= {"success", "pass"}, not_passed(result)
    # (the staging references to dictionaries are checked by the raw quality gate, not dbt: docs/quality.md)
    assert len(by_status["success"]) >= 19 and len(by_status["pass"]) >= 60
    assert sum(name.startswith("not_null_columns_") for name in by_status["pass"]) >= 19


def test_models_land_in_the_staging_schema(con):
    schemas = {row[0] for row in con.execute(
        "select distinct table_schema from information_schema.tables where table_name like 'stg_bitrix24__%'").fetchall()}
    assert schemas == {"staging"}


@pytest.mark.parametrize(("model", "fixture_file"), [
    ("stg_bitrix24__deals", "crm.deal.list.json"),
    ("stg_bitrix24__leads", "crm.lead.list.json"),
    ("stg_bitrix24__contacts", "crm.contact.list.json"),
    ("stg_bitrix24__companies", "crm.company.list.json"),
    ("stg_bitrix24__activities", "crm.activity.list.json"),
    ("stg_bitrix24__calls", "voximplant.statistic.get.json"),
    ("stg_bitrix24__invoices", "crm.item.list.smart_invoice.json"),
    ("stg_bitrix24__deal_stage_history", "crm.stagehistory.list.deal.json"),
    ("stg_bitrix24__lead_stage_history", "crm.stagehistory.list.lead.json"),
    ("stg_bitrix24__deal_product_rows", "crm.deal.productrows.get.json"),
    ("stg_bitrix24__users", "user.get.json"),
    ("stg_bitrix24__departments", "department.get.json"),
    ("stg_bitrix24__statuses", "crm.status.list.json"),
    ("stg_bitrix24__deal_categories", "crm.category.list.deal.json"),
    ("stg_bitrix24__products", "catalog.product.list.json"),
])
def test_one_row_per_fixture_record(con, tiny_portal, model, fixture_file):  # noqa: F811
    count = con.execute(f"select count(*) from staging.{model}").fetchone()[0]
    assert count == len(records(tiny_portal, fixture_file))


def test_deal_keys_and_decoded_columns(con, tiny_portal):  # noqa: F811
    deals = {int(deal["ID"]): deal for deal in records(tiny_portal, "crm.deal.list.json")}
    rows = con.execute("select deal_id, deal_key, amount, stage_id, stage_semantics, pipeline_id "
                       "from staging.stg_bitrix24__deals").fetchall()
    semantics = {"P": "process", "S": "success", "F": "failure"}
    for deal_id, key, amount, stage_id, stage_semantics, pipeline_id in rows:
        deal = deals[deal_id]
        assert key == f"127.0.0.1:{deal_id}"
        assert stage_id == deal["STAGE_ID"] and pipeline_id == int(deal["CATEGORY_ID"])
        assert stage_semantics == semantics[deal["STAGE_SEMANTIC_ID"]]
        assert float(amount) == pytest.approx(float(deal["OPPORTUNITY"]))


def test_custom_fields_get_their_labels_as_names(con, tiny_portal):  # noqa: F811
    fields = records(tiny_portal, "crm.deal.fields.json")
    payment_form = next(field for field in fields.values() if field.get("listLabel") == "Payment form")
    items = {item["VALUE"] for item in payment_form["items"]}
    assert items == {"Mortgage", "Instalment", "Cash"}

    columns = {row[0] for row in con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'staging' and table_name = 'stg_bitrix24__deals'").fetchall()}
    assert {"payment_form", "payment_form_id", "sales_channel", "lost_reason", "area_m2"} <= columns
    assert not [column for column in columns if column.startswith("uf_crm_")]

    values = {row[0] for row in con.execute(
        "select distinct payment_form from staging.stg_bitrix24__deals where payment_form is not null").fetchall()}
    assert values and values <= items


def test_without_field_metadata_names_stay_raw_and_overrides_still_apply(built, tmp_path, monkeypatch):
    _, path = built
    copy = tmp_path / "copy" / path.name  # same file name: DuckDB's database name is the file stem
    copy.parent.mkdir()
    shutil.copy(path, copy)
    with duckdb.connect(str(copy)) as connection:
        code = connection.execute("select lower(field) from raw_bitrix24.field_metadata "
                                  "where entity = 'deal' and label = 'Area, m²'").fetchone()[0]
        connection.execute("delete from raw_bitrix24.field_metadata")

    overrides = json.dumps({"bitrix24_custom_field_names": {f"deal.{code.upper()}": "floor_area"}})
    result = dbt(["run", "--select", "stg_bitrix24__deals", "--vars", overrides], copy, tmp_path, monkeypatch)
    assert result.success, statuses(result)

    with duckdb.connect(str(copy), read_only=True) as connection:
        columns = {row[0] for row in connection.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'staging' and table_name = 'stg_bitrix24__deals'").fetchall()}
    assert "payment_form" not in columns and "floor_area" not in columns  # no metadata, no labels
    assert code in columns and any(column.endswith("_value") for column in columns)
