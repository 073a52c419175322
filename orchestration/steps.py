"""Step functions the command line and the Dagster assets share, besides extraction
(pipelines/extract.py: run_extraction) and the dbt build (orchestration/transform.py): the sandbox
portal a run serves, and the business inputs. No step is written twice (DESIGN.md §4)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from pipelines.inputs import InputFiles, load_inputs
from pipelines.inputs.load import LoadedInputs
from pipelines.warehouse import WarehouseConfig


def sandbox_portal_dir(data_dir: Path, scale: str, seed: int) -> Path:
    return data_dir / "sandbox" / f"{scale}-seed{seed}"


def ensure_sandbox_portal(data_dir: Path, scale: str, seed: int,
                          progress: Callable[[str, int], None] | None = None) -> tuple[Path, int | None]:
    """The generated sandbox portal of this scale and seed, generated on first use; returns its
    directory and the number of records generated (None: it already existed)."""
    from sandbox.fixture import PORTAL_META_FILE
    from sandbox.generator import generate_portal

    portal_dir = sandbox_portal_dir(data_dir, scale, seed)
    if (portal_dir / PORTAL_META_FILE).exists():
        return portal_dir, None
    report = generate_portal(portal_dir, seed=seed, scale=scale, progress=progress)
    return portal_dir, sum(report.counts.values())


@contextmanager
def serving_sandbox(portal_dir: Path, cloud_limits: bool = False,
                    progress: Callable[[str], None] | None = None) -> Iterator[object]:
    """Serves a sandbox portal on 127.0.0.1 (any free port) for the length of a run."""
    from sandbox.server.app import SandboxOptions, start_sandbox
    from sandbox.server.limits import LimitConfig

    options = SandboxOptions(index_path=portal_dir / ".sandbox" / "index.duckdb",
                             limits=LimitConfig.cloud(operating=False) if cloud_limits else LimitConfig.off())
    with start_sandbox(portal_dir, options, progress=progress) as running:
        yield running


def write_sandbox_plans(portal_dir: Path, portal_id: str) -> Path:
    """Plans derived from the sandbox's own history (sandbox/plans.py), for runs without a plan file
    of the user's; written next to the portal."""
    from sandbox.plans import write_sandbox_plans as derive

    path = sandbox_plans_path(portal_dir)
    derive(portal_dir, path, portal_id)
    return path


def sandbox_clock(portal_dir: Path) -> datetime:
    """A generated portal's "now" (its records stop there): the quality gates' clock for freshness
    and future-date bounds on a sandbox run."""
    from sandbox.fixture import PORTAL_META_FILE

    return datetime.fromisoformat(json.loads((portal_dir / PORTAL_META_FILE).read_text())["now"])


def sandbox_plans_path(portal_dir: Path) -> Path:
    return portal_dir / ".sandbox" / "sales_plans.csv"


def input_files(directory: Path, default_plans: Path | None = None) -> InputFiles:
    """The inputs of `directory` (templates for a missing calendar or rules file); `default_plans`
    stands in when it has no sales_plans.csv."""
    files = InputFiles.from_directory(directory)
    if files.sales_plans is None and default_plans is not None:
        files = replace(files, sales_plans=default_plans)
    return files


def load_business_inputs(warehouse: WarehouseConfig, directory: Path,
                         default_plans: Path | None = None) -> LoadedInputs:
    """Checks and loads plans, calendar and rules; raises pipelines.inputs.InputError naming every
    problem (file, line, value) and loads nothing then."""
    return load_inputs(warehouse, input_files(directory, default_plans))


def describe_inputs(loaded: LoadedInputs) -> str:
    files = loaded.files
    plans = f"{loaded.plans} plan rows from {files.sales_plans}" if files.sales_plans else "no plans"
    rules = loaded.rules
    return (f"{plans}; calendar {loaded.calendar_days} days ({files.working_calendar}); "
            f"rules: {len(rules.event_stages)} event stages, {len(rules.activity_rules)} activity rules, "
            f"{len(rules.deal_fields)} deal fields ({files.business_rules})")
