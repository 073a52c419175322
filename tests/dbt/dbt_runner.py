"""Running dbt in-process against a test warehouse, the way the orchestration runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


def dbt(args: list[str], warehouse: Path, work_dir: Path, monkeypatch: pytest.MonkeyPatch, target: str = "duckdb"):
    """Runs one dbt command against `warehouse` (DuckDB; for PostgreSQL the DBT_POSTGRES_* env vars
    say where); artifacts and logs stay out of the repository."""
    from dbt.cli.main import dbtRunner

    monkeypatch.setenv("DBT_DUCKDB_PATH", str(warehouse))
    monkeypatch.setenv("DBT_TARGET", target)
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    try:
        return dbtRunner().invoke([
            *args,
            "--project-dir", str(PROJECT_DIR),
            "--profiles-dir", str(PROJECT_DIR),
            "--target-path", str(work_dir / "target"),
            "--log-path", str(work_dir / "logs"),
            "--no-partial-parse",
            "--quiet",
        ])
    finally:
        release_dbt_duckdb()


def release_dbt_duckdb() -> None:
    """Closes the DuckDB database dbt-duckdb keeps open in this process after a run.

    Otherwise the test's own read-only connection fails with "Can't open a connection to same
    database file with a different configuration" (stack notes P3). Private API of dbt-duckdb 1.11.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    if DuckDBConnectionManager._ENV is not None:
        DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager._ENV = None


def statuses(result) -> dict[str, list[str]]:
    by_status: dict[str, list[str]] = {}
    for node_result in result.result.results:
        by_status.setdefault(str(node_result.status), []).append(node_result.node.name)
    return by_status


def not_passed(result) -> dict[str, list[str]]:
    """The nodes of a dbt result that neither succeeded nor passed, by status (for assert messages)."""
    return {status: names for status, names in statuses(result).items() if status not in ("success", "pass")}


def incremental_models_took_their_incremental_branch(result) -> list[str]:
    """The incremental models of a dbt result; each must have compiled its incremental branch,
    which reads the table it builds (a model rebuilding itself whole does not)."""
    models = [r.node for r in result.result.results
              if r.node.resource_type == "model" and r.node.config.materialized == "incremental"]
    for node in models:
        assert f'"{node.schema}"."{node.name}"' in node.compiled_code, f"{node.name} was rebuilt whole"
    return [node.name for node in models]
