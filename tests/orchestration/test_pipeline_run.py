"""The whole graph materializes in-process on a tiny sandbox portal and leaves the marts
`crm-warehouse run` leaves; a failing blocking check stops everything downstream of it; two
portals are two entries into one warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import orjson
import pytest

from orchestration.definitions import build_definitions
from orchestration.defs.raw import RAW_KEYS
from orchestration.defs.resources import WarehouseResource
from orchestration.portals import PortalConfig
from tests.orchestration.conftest import place_sandbox, warehouse_in

pytestmark = pytest.mark.slow
COMPARED_MARTS = ("fct_deals", "deal_funnel_by_period", "sales_plan_fulfilment", "activity_plan_fact_daily",
                  "dim_users", "funnel_stage_entries")
# when a row was loaded or built: differs between any two runs by design
RUN_TIME_COLUMNS = ("built_at", "loaded_at_epoch", "loaded_at", "_dlt_load_id")


def run_pipeline(defs: dg.Definitions, portal: str, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def("pipeline").execute_in_process(partition_key=portal, instance=instance,
                                                               raise_on_error=False)


def materialized(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    return {event.asset_key.to_user_string(): event.event_specific_data.materialization.metadata
            for event in result.all_events if event.event_type_value == "ASSET_MATERIALIZATION"}


def check_evaluations(result: dg.ExecuteInProcessResult) -> list:
    return [event.event_specific_data for event in result.all_events if event.event_type_value == "ASSET_CHECK_EVALUATION"]


def fixture_count(portal_dir: Path, file_name: str) -> int:
    return len(orjson.loads((portal_dir / file_name).read_bytes()))


@pytest.fixture(scope="module")
def both_runs(tmp_path_factory: pytest.TempPathFactory, tiny_portal: Path):
    """The same tiny portal run by `crm-warehouse run` and by the Dagster job, into two warehouses."""
    base = tmp_path_factory.mktemp("cli-vs-dagster")
    data_dir = base / "data"
    portal_dir = place_sandbox(tiny_portal, data_dir, "tiny", 11)
    cli_warehouse = base / "cli" / "warehouse.duckdb"
    env = {**os.environ, "RUNTIME__LOG_LEVEL": "ERROR"}
    cli = subprocess.run([str(Path(sys.executable).parent / "crm-warehouse"), "run", "--sandbox", "tiny", "--seed", "11",
                          "--data-dir", str(data_dir), "--warehouse", str(cli_warehouse), "--inputs", str(base / "inputs")],
                         cwd=base, env=env, capture_output=True, text=True, timeout=900)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    warehouse = WarehouseResource(duckdb_path=str(base / "dagster" / "warehouse.duckdb"),
                                  pipelines_dir=str(base / "dagster" / "pipelines"), data_dir=str(data_dir),
                                  inputs_dir=str(base / "inputs"))
    defs = build_definitions([PortalConfig(name="sandbox", sandbox="tiny", seed=11, requests_per_second=0)], warehouse)
    with dg.instance_for_test() as instance:
        result = run_pipeline(defs, "sandbox", instance)
    return cli_warehouse, Path(warehouse.duckdb_path), result, portal_dir


def test_the_dagster_run_leaves_the_marts_of_the_cli_run(both_runs) -> None:
    cli_warehouse, dagster_warehouse, result, portal_dir = both_runs
    assert result.success, [str(event.event_specific_data)[:500] for event in result.all_events
                            if event.event_type_value == "STEP_FAILURE"]
    with duckdb.connect() as connection:
        connection.execute(f"attach '{cli_warehouse}' as cli (read_only)")
        connection.execute(f"attach '{dagster_warehouse}' as dag (read_only)")
        for mart in COMPARED_MARTS:
            columns = ", ".join(f'"{name}"' for (name,) in connection.execute(
                "select column_name from information_schema.columns where table_catalog = 'cli' "
                "and table_schema = 'marts' and table_name = ? order by ordinal_position", [mart]).fetchall()
                if name not in RUN_TIME_COLUMNS)
            cli_rows = connection.execute(f"select count(*) from cli.marts.{mart}").fetchone()[0]
            dagster_rows = connection.execute(f"select count(*) from dag.marts.{mart}").fetchone()[0]
            assert cli_rows == dagster_rows > 0, mart
            for left, right in (("cli", "dag"), ("dag", "cli")):
                differing = connection.execute(f"select count(*) from (select {columns} from {left}.marts.{mart} "
                                               f"except all select {columns} from {right}.marts.{mart})").fetchone()[0]
                assert differing == 0, f"{mart}: {differing} rows of {left} not in {right}"
        deals = connection.execute("select count(*) from dag.raw_bitrix24.deals").fetchone()[0]
    assert deals == fixture_count(portal_dir, "crm.deal.list.json")

    metadata = materialized(result)
    assert metadata["bitrix24/deals"]["rows_loaded"].value == deals
    assert metadata["bitrix24/deals"]["portal_id"].value == "127.0.0.1"
    assert metadata["bitrix24/deals"]["requests"].value >= 1
    assert metadata["marts/fct_deals"]["dagster/row_count"].value == deals
    assert metadata["inputs/sales_plans"]["rows_loaded"].value > 0
    assert "published/marts" in metadata
    assert str(metadata["published/marts"]["location"].value).endswith("warehouse.duckdb")
    evaluations = check_evaluations(result)
    gates = [evaluation for evaluation in evaluations if evaluation.check_name.endswith("_quality_gate")]
    assert len(gates) == 22 + 40 and all(evaluation.passed for evaluation in gates)
    assert Path(gates[0].metadata["quality_report"].value).exists()
    dbt_tests = [evaluation for evaluation in evaluations if not evaluation.check_name.endswith("_quality_gate")]
    assert len(dbt_tests) > 200 and all(evaluation.passed for evaluation in dbt_tests)


def test_a_failing_blocking_check_stops_everything_downstream(tmp_path: Path, tiny_portal: Path) -> None:
    """A deal with a negative amount fails the raw gate (error severity): no dbt model, no gate on
    the marts and no publish runs; the check names the record."""
    warehouse = warehouse_in(tmp_path)
    portal_dir = place_sandbox(tiny_portal, Path(warehouse.data_dir), "tiny", 11)
    deals_file = portal_dir / "crm.deal.list.json"
    deals = orjson.loads(deals_file.read_bytes())
    deals[3]["OPPORTUNITY"] = "-500.00"
    deals_file.write_bytes(b"[\n" + b",\n".join(orjson.dumps(deal) for deal in deals) + b"\n]\n")
    defs = build_definitions([PortalConfig(name="sandbox", sandbox="tiny", seed=11, requests_per_second=0)], warehouse)
    with dg.instance_for_test() as instance:
        result = run_pipeline(defs, "sandbox", instance)
    assert not result.success
    metadata = materialized(result)
    assert "bitrix24/deals" in metadata
    assert not [key for key in metadata if key.split("/")[0] in ("staging", "intermediate", "marts", "published")]
    failed = [evaluation for evaluation in check_evaluations(result) if not evaluation.passed]
    assert [(evaluation.asset_key.to_user_string(), evaluation.check_name) for evaluation in failed] == \
        [("bitrix24/deals", "raw_quality_gate")]
    assert deals[3]["ID"] in (failed[0].description or "")
    skipped = {event.step_key for event in result.all_events if event.event_type_value == "STEP_SKIPPED"}
    started = {event.step_key for event in result.all_events if event.event_type_value == "STEP_START"}
    assert "dbt_models" not in started and "published__marts" not in started
    assert "dbt_models" in skipped or not skipped  # in-process runs skip silently in some versions


def test_two_portals_are_two_entries_into_one_warehouse(tmp_path: Path, tiny_portal: Path) -> None:
    from sandbox.generator import generate_portal
    from orchestration.steps import sandbox_portal_dir

    warehouse = warehouse_in(tmp_path)
    data_dir = Path(warehouse.data_dir)
    alpha_dir = place_sandbox(tiny_portal, data_dir, "tiny", 11)
    beta_dir = sandbox_portal_dir(data_dir, "tiny", 12)
    generate_portal(beta_dir, seed=12, scale="tiny")
    portals = [PortalConfig(name="alpha", portal_id="alpha.example", sandbox="tiny", seed=11, requests_per_second=0),
               PortalConfig(name="beta", portal_id="beta.example", sandbox="tiny", seed=12, requests_per_second=0)]
    defs = build_definitions(portals, warehouse)
    with dg.instance_for_test() as instance:
        # alpha's raw tables only, then beta's whole run: the marts are built over both portals
        raw = defs.resolve_job_def("pipeline").get_subset(asset_selection=set(RAW_KEYS))
        first = raw.execute_in_process(partition_key="alpha", instance=instance, raise_on_error=False)
        second = run_pipeline(defs, "beta", instance)
        assert first.success and second.success
        status = instance.get_status_by_partition(dg.AssetKey(["bitrix24", "deals"]), ["alpha", "beta"],
                                                  defs.resolve_assets_def(dg.AssetKey(["bitrix24", "deals"])).partitions_def)
    assert {key: str(value) for key, value in status.items()} == \
        {"alpha": "AssetPartitionStatus.MATERIALIZED", "beta": "AssetPartitionStatus.MATERIALIZED"}
    with duckdb.connect(warehouse.duckdb_path, read_only=True) as connection:
        raw = dict(connection.execute("select portal_id, count(*) from raw_bitrix24.deals group by 1").fetchall())
        marts = dict(connection.execute("select portal_id, count(*) from marts.fct_deals group by 1").fetchall())
        plans = dict(connection.execute("select portal_id, count(*) from inputs.sales_plans group by 1").fetchall())
    expected = {"alpha.example": fixture_count(alpha_dir, "crm.deal.list.json"),
                "beta.example": fixture_count(beta_dir, "crm.deal.list.json")}
    assert raw == marts == expected
    assert set(plans) == {"alpha.example", "beta.example"}
