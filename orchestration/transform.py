"""One dbt build of the project into the warehouse: what `crm-warehouse transform`, the main job
and the Dagster dbt assets (orchestration/defs/dbt.py, same arguments and environment) call. dbt runs in its own process, so its DuckDB connection never meets ours."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pipelines.warehouse import WarehouseConfig

PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"


@dataclass(frozen=True)
class DbtResult:
    success: bool
    summary: str  # dbt's "Done. PASS=... WARN=... ERROR=..." line
    output: str


def dbt_environment(warehouse: WarehouseConfig) -> dict[str, str]:
    """The profile's env vars for this warehouse; the password goes in a DBT_ENV_SECRET_ var."""
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_TARGET": warehouse.destination}
    if warehouse.destination == "duckdb":
        env["DBT_DUCKDB_PATH"] = str(warehouse.resolved_duckdb_path().resolve())
    else:
        dsn = warehouse.postgres()  # WarehouseConfigError names the setting when the DSN is unusable
        # without a password in the DSN: PGPASSWORD, else empty (libpq then reads ~/.pgpass, or the
        # server trusts the connection)
        env.update(DBT_POSTGRES_HOST=dsn.host, DBT_POSTGRES_PORT=str(dsn.port), DBT_POSTGRES_USER=dsn.user,
                   DBT_ENV_SECRET_POSTGRES_PASSWORD=dsn.libpq_password(), DBT_POSTGRES_DBNAME=dsn.database)
    return env


def dbt_arguments(command: str = "build", select: str | None = None, full_refresh: bool = False) -> list[str]:
    """dbt's command and flags for one build, shared by `run_dbt` and the Dagster dbt assets (which
    add the project, profiles and their own selection). Without full_refresh, incremental models
    (stage history, first activities) process only what changed since the last build."""
    args = [command]
    if full_refresh:
        args.append("--full-refresh")
    if command == "build":
        # unit tests check the SQL on fixed rows, not the data: the test suite runs them (dbt's advice)
        args += ["--exclude-resource-type", "unit_test"]
    if select:
        # tests of models outside the selection stay out (dbt's default "eager" pulls them in)
        args += ["--select", select, "--indirect-selection", "cautious"]
    return args


def dbt_executable() -> str:
    """dbt of this virtual environment: found without an activated venv (stack notes P12)."""
    return str(Path(sys.executable).parent / "dbt")


def dbt_command(command: str = "build", select: str | None = None, full_refresh: bool = False) -> list[str]:
    """The dbt command line."""
    args = dbt_arguments(command, select, full_refresh)
    return [dbt_executable(), args[0], "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            *args[1:]]


def run_dbt(warehouse: WarehouseConfig, command: str = "build", select: str | None = None,
            full_refresh: bool = False) -> DbtResult:
    args = dbt_command(command, select, full_refresh)
    process = subprocess.run(args, env=dbt_environment(warehouse), capture_output=True, text=True)
    output = process.stdout + process.stderr
    return DbtResult(success=process.returncode == 0, summary=dbt_summary(output), output=output)


def dbt_summary(output: str) -> str:
    """dbt's closing "Done. PASS=... WARN=... ERROR=..." line, else the tail of the output."""
    done = re.findall(r"Done\. PASS=.*", output)
    return done[-1] if done else output.strip()[-500:]
