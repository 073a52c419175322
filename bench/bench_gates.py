"""Benchmark: the quality gates on a large portal's warehouse — time and peak memory of each gate.

    python bench/bench_gates.py --warehouse /path/to/warehouse.duckdb [--runs 2]

The warehouse must hold a built portal (raw tables and marts). It is copied first (the gates write
their history into its `quality` schema). Each gate runs in a child process of its own, `--runs`
times: the first raw run has no volume history yet, the later ones are a scheduled run's. Targets
(issue 23): both gates add < 10% to a scheduled incremental run; peak memory < 2 GiB.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

print = functools.partial(print, flush=True)  # noqa: A001 - progress visible when piped
ROOT = Path(__file__).resolve().parents[1]
# Runs one gate and prints its figures; the parent reads the child's peak RSS.
CHILD = """
import json, resource, sys, time
from datetime import datetime
from pathlib import Path
sys.path.insert(0, {root!r})
from pipelines.warehouse import WarehouseConfig
from expectations.gates import run_gate
now = datetime.fromisoformat(sys.argv[3]) if len(sys.argv) > 3 else None
started = time.monotonic()
result = run_gate(WarehouseConfig(duckdb_path=Path(sys.argv[1])), sys.argv[2], now=now)
print(json.dumps({{"seconds": time.monotonic() - started, "success": result.success, "errors": result.errors,
                  "warnings": result.warnings, "expectations": result.expectations,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run_gate_process(warehouse: Path, gate: str, now: str | None) -> dict:
    process = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), str(warehouse), gate,
                              *([now] if now else [])], capture_output=True, text=True,
                             env={**os.environ, "GX_ANALYTICS_ENABLED": "false"})
    if process.returncode != 0:
        raise SystemExit(f"{gate} gate crashed:\n{process.stderr[-3000:]}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--as-of", default=None, help="the gates' clock (a sandbox portal's 'now')")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-gates-", dir=args.warehouse.parent) as scratch:
        copy = Path(scratch) / "warehouse.duckdb"
        started = time.monotonic()
        shutil.copy(args.warehouse, copy)
        print(f"copied {args.warehouse} ({args.warehouse.stat().st_size / 2**30:.2f} GiB) in "
              f"{time.monotonic() - started:.0f}s")
        os.environ["CRM_WAREHOUSE_QUALITY_DIR"] = str(Path(scratch) / "quality")
        for run in range(1, args.runs + 1):
            total = 0.0
            for gate in ("raw", "marts"):
                figures = run_gate_process(copy, gate, args.as_of)
                total += figures["seconds"]
                print(f"run {run} {gate:5} gate: {figures['seconds']:.1f}s, {figures['expectations']} expectations, "
                      f"{figures['errors']} errors, {figures['warnings']} warnings; peak RSS {figures['peak_rss_mib']:,.0f} MiB")
            print(f"run {run} both gates: {total:.1f}s")


if __name__ == "__main__":
    main()
