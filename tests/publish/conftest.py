"""A tiny live portal extracted and built into a DuckDB warehouse, and BI reader processes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.warehouse import WarehouseConfig
from sandbox.live import LiveConfig
from tests.pipelines.conftest import extract


def build(warehouse: WarehouseConfig, full_refresh: bool = False, select: str | None = None):
    """`dbt build` in its own process, as `crm-warehouse transform` runs it."""
    from orchestration.transform import run_dbt

    return run_dbt(warehouse, select=select, full_refresh=full_refresh)


@pytest.fixture(scope="module")
def dbt_artifacts(tmp_path_factory):
    """dbt's target/ and logs of this module's builds out of the repository (others build there)."""
    directory = tmp_path_factory.mktemp("dbt-artifacts")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DBT_TARGET_PATH", str(directory / "target"))
        monkeypatch.setenv("DBT_LOG_PATH", str(directory / "logs"))
        yield directory


@pytest.fixture(scope="module")
def live_warehouse(tiny_portal, serve_module, tmp_path_factory, dbt_artifacts):
    """The tiny portal served live (its deals move on demand), extracted and built once."""
    sandbox = serve_module(tiny_portal, live=LiveConfig(seed=7))
    directory = tmp_path_factory.mktemp("publish-warehouse")
    warehouse = WarehouseConfig(duckdb_path=directory / "warehouse.duckdb", pipelines_dir=directory / "pipelines",
                                published_dir=directory / "published")
    extract(sandbox, warehouse, reconcile=True)
    result = build(warehouse)
    assert result.success, result.summary
    return sandbox, warehouse


@dataclass
class ReaderProcess:
    """orchestration/publish/reader_probe.py in a process of its own (a BI tool's)."""

    process: subprocess.Popen
    out: Path
    stop_file: Path

    @classmethod
    def start(cls, mode: str, published: Path, directory: Path, every: float = 1.0) -> ReaderProcess:
        out, stop_file = directory / f"{mode}.json", directory / f"{mode}.stop"
        process = subprocess.Popen([sys.executable, "-m", "orchestration.publish.reader_probe", mode, str(published),
                                    str(out), str(stop_file), str(every)])
        ready = Path(str(out) + ".ready")
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert process.poll() is None, f"the {mode} reader exited early"
            assert time.monotonic() < deadline, f"the {mode} reader did not start"
            time.sleep(0.1)
        return cls(process, out, stop_file)

    def stop(self) -> list[dict]:
        self.stop_file.touch()
        assert self.process.wait(timeout=60) == 0
        return json.loads(self.out.read_text())
