"""Bad records are loaded with a flag that names entity, ID and field; the token never leaks."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from orchestration.cli import main
from tests.conftest import TOKEN
from tests.pipelines.conftest import duckdb_warehouse, extract


@pytest.fixture
def dirty_portal(mini_portal, tmp_path) -> Path:
    portal = tmp_path / "dirty"
    shutil.copytree(mini_portal, portal)
    deals = json.loads((portal / "crm.deal.list.json").read_text())
    deals[1]["OPPORTUNITY"] = "12,5 тыс."  # a string where a number belongs
    deals[2]["STAGE_ID"] = "C1:UC_GHOST"  # a stage the portal's dictionaries do not have
    deals[3]["UF_CRM_1700000001"] = "99"  # not an item of the list field
    (portal / "crm.deal.list.json").write_text(json.dumps(deals))
    return portal


def test_bad_records_are_loaded_with_a_flag_and_named(dirty_portal, serve, tmp_path, caplog):
    sandbox = serve(dirty_portal)
    warehouse = duckdb_warehouse(tmp_path / "w")
    with caplog.at_level(logging.WARNING, logger="crm_warehouse"):
        result = extract(sandbox, warehouse)
    con = duckdb.connect(str(warehouse.duckdb_path), read_only=True)
    rows = dict(con.execute("select id, _load_issues from raw_bitrix24.deals where _load_issues is not null").fetchall())
    assert rows == {
        2: "OPPORTUNITY: '12,5 тыс.' is not a valid decimal",
        3: "STAGE_ID: 'C1:UC_GHOST' is not a known stage",
        4: "UF_CRM_1700000001: '99' is not an item of this list field",
    }
    assert con.execute("select opportunity from raw_bitrix24.deals where id = 2").fetchone() == (None,)
    assert con.execute("select count(*) from raw_bitrix24.deals").fetchone() == (6,)  # nothing dropped
    issues = con.execute("select entity, record_id, problem from raw_bitrix24.load_issues order by record_id").fetchall()
    assert issues[0] == ("deals", "2", "OPPORTUNITY: '12,5 тыс.' is not a valid decimal")
    assert "deals ID=2: OPPORTUNITY: '12,5 тыс.' is not a valid decimal" in caplog.text
    assert result.stats.issues == 3


def test_token_never_appears_in_logs_state_or_warehouse(mini_portal, serve, tmp_path, caplog):
    sandbox = serve(mini_portal)
    warehouse = duckdb_warehouse(tmp_path / "w")
    with caplog.at_level(logging.DEBUG):
        extract(sandbox, warehouse, reconcile=True)
    assert TOKEN not in caplog.text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


def test_errors_name_the_method_and_hide_the_token(tmp_path):
    url = f"http://127.0.0.1:9/rest/1/{TOKEN}/"  # nothing listens on port 9
    result = CliRunner().invoke(main, ["extract", "--webhook-url", url, "--warehouse", str(tmp_path / "w.duckdb")],
                                env={"SOURCES__BITRIX24__MAX_ATTEMPTS": "1"})
    assert result.exit_code != 0
    assert TOKEN not in result.output
    assert "/rest/1/***/" in result.output


def test_bad_webhook_url_names_the_setting(tmp_path):
    result = CliRunner().invoke(main, ["extract", "--webhook-url", "https://portal.example.com/api/"],
                                env={"SOURCES__BITRIX24__WEBHOOK_URL": ""})
    assert result.exit_code == 2
    assert "--webhook-url" in result.output and "is not of the form" in result.output
