"""`crm-warehouse transform` builds the dbt project into a warehouse the extractor filled."""

from __future__ import annotations

import duckdb
from click.testing import CliRunner

from orchestration.cli import main
from tests.pipelines.conftest import duckdb_warehouse, extract


def test_transform_builds_staging_into_the_warehouse(tiny_portal, serve_module, tmp_path):
    sandbox = serve_module(tiny_portal)
    warehouse = duckdb_warehouse(tmp_path)
    extract(sandbox, warehouse)
    result = CliRunner().invoke(main, ["transform", "--warehouse", str(warehouse.duckdb_path)])
    assert result.exit_code == 0, result.output
    assert "ERROR=0" in result.output and "PASS=" in result.output
    con = duckdb.connect(str(warehouse.duckdb_path), read_only=True)
    deals = con.execute("select count(*) from staging.stg_bitrix24__deals").fetchone()[0]
    con.close()
    assert deals == 150  # the tiny portal's deals
