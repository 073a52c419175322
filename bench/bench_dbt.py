"""Benchmark: `dbt build` of a large portal's warehouse — full, then incremental after ~1% of the
records changed — time and peak memory of the dbt process.

    python bench/bench_dbt.py --warehouse /tmp/bench-extract-free-large/warehouse.duckdb --scale large

The warehouse must hold a full extraction of the portal (bench_extract.py unthrottled --then-all
leaves one). It is copied first and the business inputs are loaded (plans derived from the portal's
history, template calendar and rules); the copy is built with --full-refresh, then the sandbox serves the
same portal in live mode, one live step changes ~1% of the records, the extractor loads the change
(not timed) and dbt builds again, incrementally. Targets (issue 4): full < 5 min, incremental < 1/4.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

print = functools.partial(print, flush=True)  # noqa: A001 - progress visible when piped
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

# Runs the dbt command as its only child and reports that child's peak RSS.
MEASURE = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
           "print(f'PEAK_RSS_KIB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}'); sys.exit(code)")


def timed_build(warehouse, full_refresh: bool) -> tuple[float, float, str]:
    from orchestration.transform import dbt_command, dbt_environment, dbt_summary

    # the copied or freshly loaded warehouse's dirty pages are written out first, not during the build
    os.sync()
    started = time.monotonic()
    process = subprocess.run([sys.executable, "-c", MEASURE, *dbt_command(full_refresh=full_refresh)],
                             env=dbt_environment(warehouse), capture_output=True, text=True)
    seconds = time.monotonic() - started
    output = process.stdout + process.stderr
    if process.returncode != 0:
        failures = [line for line in output.splitlines() if "ERROR" in line or "FAIL" in line]
        raise SystemExit("dbt build failed:\n" + "\n".join(failures[-20:]))
    slowest = sorted(re.findall(r"OK created sql (\w+) model (\S+) .*? in ([\d.]+)s", output),
                     key=lambda row: -float(row[2]))[:6]
    for kind, name, model_seconds in slowest:
        print(f"    {name} ({kind}) {float(model_seconds):.1f}s")
    peak = int(re.search(r"PEAK_RSS_KIB=(\d+)", output).group(1)) / 1024
    return seconds, peak, dbt_summary(output)


def load_business_inputs(warehouse, portal, workdir: Path) -> None:
    """Plans derived from the portal's history (as the main job does), template calendar and rules."""
    from dataclasses import replace

    import duckdb

    from pipelines.inputs import InputFiles, load_inputs
    from sandbox.plans import write_sandbox_plans

    with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as con:
        portal_id = con.execute("select min(portal_id) from raw_bitrix24.users").fetchone()[0]
    plans = workdir / "sales_plans.csv"
    rows = write_sandbox_plans(portal, plans, portal_id)
    load_inputs(warehouse, replace(InputFiles.from_directory(workdir / "inputs"), sales_plans=plans))
    print(f"  inputs loaded (not timed): {rows:,} plan rows, template calendar and business rules")


def main() -> None:
    from bench_extract import TOKEN, Server, portal_dir, run_ours
    from pipelines.warehouse import WarehouseConfig

    parser = argparse.ArgumentParser()
    parser.add_argument("--warehouse", type=Path, required=True, help="a DuckDB file with the portal extracted")
    parser.add_argument("--scale", default="large")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--port", type=int, default=8795)
    parser.add_argument("--share", type=float, default=0.01, help="share of records one live step changes")
    args = parser.parse_args()

    workdir = Path(f"/tmp/bench-dbt-{args.scale}")
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    shutil.copy(args.warehouse, workdir / "warehouse.duckdb")
    if (args.warehouse.parent / "pipelines").exists():
        shutil.copytree(args.warehouse.parent / "pipelines", workdir / "pipelines")
    warehouse = WarehouseConfig(duckdb_path=workdir / "warehouse.duckdb", pipelines_dir=workdir / "pipelines")

    print(f"dbt build of the {args.scale} portal's warehouse ({workdir / 'warehouse.duckdb'})")
    load_business_inputs(warehouse, portal_dir(args.scale, args.seed), workdir)
    full_seconds, full_peak, summary = timed_build(warehouse, full_refresh=True)
    print(f"  full build: {full_seconds:.0f}s, peak RSS {full_peak:,.0f} MiB ({summary})")

    server = Server(portal_dir(args.scale, args.seed), args.port, "--live-every", "1000000000", "--live-seed", "3")
    try:
        import requests

        base = server.url.split("/rest/")[0]
        step = requests.post(f"{base}/sandbox/live/advance?steps=1&token={TOKEN}&share={args.share}", timeout=1800)
        print(f"  live step ({args.share:.0%} of records): {step.json()}")
        loaded = run_ours(server.url, workdir, rps=0)
        print(f"  incremental extraction: {loaded['rows']:,} rows in {loaded['seconds']:.0f}s")
    finally:
        server.stop()
    incremental_seconds, incremental_peak, summary = timed_build(warehouse, full_refresh=False)
    print(f"  incremental build: {incremental_seconds:.0f}s = {100 * incremental_seconds / full_seconds:.0f}% of the "
          f"full build, peak RSS {incremental_peak:,.0f} MiB ({summary})")


if __name__ == "__main__":
    main()
