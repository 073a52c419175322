"""The code location loads, with every asset, check, schedule and sensor; the portals file is checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from orchestration.definitions import build_definitions
from orchestration.defs.dbt_project import DBT_PROJECT
from orchestration.defs.inputs import INPUT_KEYS
from orchestration.defs.raw import RAW_KEYS
from orchestration.portals import PortalConfig, PortalConfigError, load_portals
from tests.orchestration.conftest import REPO

PORTALS = [PortalConfig(name="sandbox", sandbox="tiny", seed=11),
           PortalConfig(name="acme", portal_id="acme.bitrix24.ru", schedule="15 */2 * * *", timezone="Europe/Moscow")]


def test_dagster_definitions_validate_finds_the_code_location(dagster_home: Path) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}
    process = subprocess.run([str(Path(sys.executable).parent / "dagster"), "definitions", "validate"],
                             cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    output = process.stdout + process.stderr
    assert process.returncode == 0, output
    assert "Validation successful for code location crm_warehouse" in output


def test_every_asset_check_schedule_and_sensor_is_defined() -> None:
    defs = build_definitions(PORTALS)
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    manifest = json.loads(Path(DBT_PROJECT.manifest_path).read_text())
    models = {node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    sources = {(source["source_name"], source["name"]) for source in manifest["sources"].values()}

    assert set(RAW_KEYS) <= keys and len(RAW_KEYS) == 22
    assert set(INPUT_KEYS) <= keys and len(INPUT_KEYS) == 6
    assert {key.path[-1] for key in keys if key.path[0] in ("staging", "intermediate", "marts")} == models
    assert dg.AssetKey(["published", "marts"]) in keys
    # one lineage from the API to the marts: every dbt source is an asset the pipeline produces
    assert {dg.AssetKey(list(source)) for source in sources} <= set(RAW_KEYS) | set(INPUT_KEYS)
    assert all(graph.get(key).is_materializable for key in keys)

    raw = defs.resolve_assets_def(RAW_KEYS[0])
    assert raw.partitions_def.get_partition_keys() == ["sandbox", "acme"]
    checks = {key for key in graph.asset_check_keys}
    raw_gate = {key for key in checks if key.name == "raw_quality_gate"}
    marts_gate = {key for key in checks if key.name == "marts_quality_gate"}
    marts = {key for key in keys if key.path[0] == "marts"}
    assert {key.asset_key for key in raw_gate} == set(RAW_KEYS)
    assert {key.asset_key for key in marts_gate} == marts and len(marts) == 40
    dbt_tests = [node for node in manifest["nodes"].values()
                 if node["resource_type"] == "test" and node.get("attached_node")]
    dbt_checks = checks - raw_gate - marts_gate
    assert len(dbt_checks) == len(dbt_tests) > 200
    assert all(graph.get_check_spec(key).blocking for key in raw_gate | marts_gate)

    schedules = {schedule.name: schedule for schedule in defs.schedules}
    assert sorted(schedules) == ["acme_incremental", "acme_nightly", "sandbox_incremental", "sandbox_nightly"]
    assert (schedules["acme_incremental"].cron_schedule, schedules["acme_incremental"].execution_timezone) == \
        ("15 */2 * * *", "Europe/Moscow")
    assert [sensor.name for sensor in defs.sensors] == ["input_files_changed"]

    # marts are stale after two missed periods of the slowest portal's schedule (2 h here)
    fct_deals = graph.get(dg.AssetKey(["marts", "fct_deals"]))
    assert fct_deals.freshness_policy.fail_window.to_timedelta().total_seconds() == 4 * 3600


def test_the_default_portals_file_has_the_sandbox() -> None:
    portals = load_portals()
    assert [(portal.name, portal.sandbox, portal.schedule, portal.nightly_schedule) for portal in portals] == \
        [("sandbox", "small", "0 * * * *", "30 2 * * *")]


@pytest.mark.parametrize("entry, message", [
    ('name = "Bad-Name"', "portal 'Bad-Name': name must be lower-case letters"),
    ('name = "a"\ntimezone = "Mars/Olympus"', "portal 'a': unknown time zone 'Mars/Olympus'"),
    ('name = "a"\nschedule = "every hour"', "portal 'a': schedule 'every hour' is not a cron expression"),
    ('name = "a"\nwebhook_url = "https://x/rest/1/t/"', "portal 'a': unknown setting(s) webhook_url"),
    ('name = "a"\nsandbox = "huge"', "portal 'a': sandbox must be one of tiny, small, medium, large"),
])
def test_a_bad_portal_entry_is_named(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "portals.toml"
    path.write_text(f"[[portal]]\n{entry}\n")
    with pytest.raises(PortalConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_portals(path)


def test_a_missing_webhook_secret_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORTALS__ACME__WEBHOOK_URL", raising=False)
    with pytest.raises(PortalConfigError, match="set PORTALS__ACME__WEBHOOK_URL or \\[portals.acme\\] webhook_url"):
        PORTALS[1].webhook_url()
    monkeypatch.setenv("PORTALS__ACME__WEBHOOK_URL", "https://acme.bitrix24.ru/rest/1/secret/")
    assert PORTALS[1].webhook_url() == "https://acme.bitrix24.ru/rest/1/secret/"


def test_dbt_version_is_read_offline() -> None:
    from importlib.metadata import version

    from orchestration.defs.resources import OfflineDbtCliResource

    # `/bin/false --version` fails: the version must come from the package metadata, not a process
    resource = OfflineDbtCliResource(project_dir=DBT_PROJECT, dbt_executable="/bin/false")
    assert str(resource._cli_version) == version("dbt-core")
