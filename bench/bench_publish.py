"""Benchmark: publishing the marts for BI on a portal's warehouse — publish time, published file size,
and the longest time a BI query waited while a scheduled run built and published.

    python bench/bench_publish.py --warehouse /work/bench-large/warehouse.duckdb --scale large

The warehouse (built, or only extracted: then it is built here first) is copied into the work
directory, never written in place. Then:
  1. a first publish (no published version yet: every mart copied) — time and size;
  2. a scheduled run while a BI reader (orchestration/publish/reader_probe.py, its own process) opens
     the published file every second and counts every mart: the sandbox serves the portal live, one
     live step changes ~1% of the records, the extractor loads the change, dbt builds incrementally,
     and the publish (timed) patches the incremental marts with the rows written since;
  3. a publish with nothing new (every mart found unchanged).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
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
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def has_marts(path: Path) -> bool:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as connection:
        return bool(connection.execute("select 1 from duckdb_tables() where schema_name = 'marts' limit 1").fetchall())


def timed_publish(warehouse, label: str):
    from orchestration.publish import publish_marts

    os.sync()  # the build's dirty pages are written out first, not during the publish
    result = publish_marts(warehouse)
    print(f"  {label}: {result.seconds:.1f} s, file {result.size_bytes / 2**20:,.0f} MiB — {result.summary}")
    return result


def main() -> None:
    from bench_dbt import load_business_inputs, timed_build
    from bench_extract import TOKEN, Server, portal_dir, run_ours
    from pipelines.warehouse import WarehouseConfig

    parser = argparse.ArgumentParser()
    parser.add_argument("--warehouse", type=Path, required=True, help="a DuckDB file with the portal extracted or built")
    parser.add_argument("--scale", default="large")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--port", type=int, default=55510)
    parser.add_argument("--share", type=float, default=0.01, help="share of records the live step changes")
    parser.add_argument("--workdir", type=Path, default=None, help="default /tmp/bench-publish-<scale>")
    parser.add_argument("--published-dir", type=Path, default=None, help="default <workdir>/published")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the work directory's warehouse copy and its published version from a previous run "
                             "(no copy, no first publish)")
    parser.add_argument("--no-live", action="store_true",
                        help="the scheduled run is an incremental build with nothing new (no live step, no extraction)")
    args = parser.parse_args()

    workdir = args.workdir or Path(f"/tmp/bench-publish-{args.scale}")
    published_dir = args.published_dir or workdir / "published"
    if not args.reuse:
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        print(f"copying {args.warehouse} into {workdir} (the original is only read)")
        shutil.copy(args.warehouse, workdir / "warehouse.duckdb")
        if (args.warehouse.parent / "pipelines").exists():
            shutil.copytree(args.warehouse.parent / "pipelines", workdir / "pipelines")
        shutil.rmtree(published_dir, ignore_errors=True)
    warehouse = WarehouseConfig(duckdb_path=workdir / "warehouse.duckdb", pipelines_dir=workdir / "pipelines",
                                published_dir=published_dir)
    portal = portal_dir(args.scale, args.seed)
    if args.reuse:
        pass
    elif not has_marts(warehouse.duckdb_path):
        load_business_inputs(warehouse, portal, workdir)
        seconds, _, summary = timed_build(warehouse, full_refresh=True)
        print(f"  full build (not the benchmark): {seconds:.0f} s ({summary})")
    elif not _newest_build_green(warehouse.duckdb_path):
        seconds, _, summary = timed_build(warehouse, full_refresh=False)  # records quality.dbt_builds
        print(f"  build recording quality.dbt_builds (not the benchmark): {seconds:.0f} s ({summary})")

    print(f"publish of the {args.scale} portal's marts into {published_dir}")
    first = None if args.reuse else timed_publish(warehouse, "first publish (every mart copied)")

    current = published_dir / "warehouse.duckdb"
    stop, out = workdir / "reader.stop", workdir / "reader.json"
    stop.unlink(missing_ok=True)  # left by an earlier run (--reuse)
    reader = subprocess.Popen([sys.executable, "-m", "orchestration.publish.reader_probe", "poll", str(current),
                               str(out), str(stop), "1.0"], cwd=ROOT)
    run_started = time.monotonic()
    if not args.no_live:
        server = Server(portal, args.port, "--live-every", "1000000000", "--live-seed", "3")
        try:
            import requests

            base = server.url.split("/rest/")[0]
            step = requests.post(f"{base}/sandbox/live/advance?steps=1&token={TOKEN}&share={args.share}",
                                 timeout=1800)
            print(f"  scheduled run: live step ({args.share:.0%} of records): {step.json()}")
            loaded = run_ours(server.url, workdir, rps=0)
            print(f"  scheduled run: incremental extraction {loaded['rows']:,} rows in {loaded['seconds']:.0f} s")
        finally:
            server.stop()
    build_seconds, _, summary = timed_build(warehouse, full_refresh=False)
    print(f"  scheduled run: incremental build {build_seconds:.0f} s ({summary})")
    incremental = timed_publish(warehouse, "publish after the incremental build")
    time.sleep(3)  # the reader sees the new version
    stop.touch()
    reader.wait(timeout=120)
    polls = json.loads(out.read_text())
    run_seconds = time.monotonic() - run_started
    errors = [poll for poll in polls if "error" in poll or poll.get("missing") or poll.get("wrong_counts")]
    versions = sorted({poll.get("version") for poll in polls if "version" in poll})
    longest = max(poll["seconds"] for poll in polls)
    print(f"  BI reader during the {run_seconds:.0f} s run: {len(polls)} new connections, {len(errors)} failed or "
          f"saw a missing/partial mart, versions seen {len(versions)}, longest open+count of every mart "
          f"{longest * 1000:.0f} ms, median {sorted(p['seconds'] for p in polls)[len(polls) // 2] * 1000:.0f} ms")
    if errors:
        print(f"  first failure: {errors[0]}")

    unchanged = timed_publish(warehouse, "publish with nothing new")
    print(f"summary: first {first.seconds if first else float('nan'):.1f} s / after the incremental build {incremental.seconds:.1f} s "
          f"({100 * incremental.seconds / build_seconds:.0f}% of the {build_seconds:.0f} s build) / nothing new "
          f"{unchanged.seconds:.1f} s; file {incremental.size_bytes / 2**20:,.0f} MiB; BI waited at most "
          f"{longest * 1000:.0f} ms, {len(errors)} failures")


def _newest_build_green(path: Path) -> bool:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as connection:
        if not connection.execute("select 1 from duckdb_tables() where schema_name = 'quality' "
                                  "and table_name = 'dbt_builds'").fetchall():
            return False
        row = connection.execute("select success from quality.dbt_builds order by started_at desc limit 1").fetchone()
        return bool(row and row[0])


if __name__ == "__main__":
    main()
