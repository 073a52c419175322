"""Benchmark: extraction speed against a sandbox portal, next to fast-bitrix24 on the same limits.

    python bench/bench_extract.py throttled   --scale medium   # cloud request limit: rows/s vs 5,000
    python bench/bench_extract.py operating   --scale large    # + operating-time cost model (time-scaled)
    python bench/bench_extract.py unthrottled --scale large    # no limits: extract+load vs a bare fetch
    python bench/bench_extract.py incremental --scale medium   # no change, then 1% changed

The sandbox runs in its own process (`crm-warehouse sandbox serve`), so server and client do not
share a core's GIL. Figures go to stdout; docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

print = functools.partial(print, flush=True)  # noqa: A001 - progress visible when piped
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
TOKEN = "bench-token"
THEORETICAL = 2 * 50 * 50  # requests/s x commands/batch x rows/page
# The big list methods, for the client comparisons.
BIG = [("crm.deal.list", {}), ("crm.activity.list", {}), ("crm.stagehistory.list", {"entityTypeId": 2}),
       ("crm.lead.list", {})]
ENTITY_OF = {"crm.deal.list": "deals", "crm.activity.list": "activities", "crm.stagehistory.list": "deal_stage_history",
             "crm.lead.list": "leads"}


def portal_dir(scale: str, seed: int) -> Path:
    path = Path(f"/tmp/crm-sandbox-{scale}-seed{seed}")
    if not (path / "portal.json").exists():
        from sandbox.generator import generate_portal

        print(f"generating {scale} portal into {path} ...", flush=True)
        generate_portal(path, seed=seed, scale=scale)
    return path


class Server:
    def __init__(self, portal: Path, port: int, *args: str) -> None:
        command = [str(Path(sys.executable).parent / "crm-warehouse"), "sandbox", "serve", "--portal", str(portal),
                   "--port", str(port), "--token", TOKEN, "--index", "disk", *args]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in self.process.stdout:  # type: ignore[union-attr]
            match = re.search(r"Webhook URL: (\S+)", line)
            if match:
                self.url = match.group(1)
                threading.Thread(target=lambda: [None for _ in self.process.stdout], daemon=True).start()
                return
        raise RuntimeError("sandbox did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def run_ours(url: str, workdir: Path, rps: float, entities=None, reconcile=False, product_rows=True) -> dict:
    from pipelines.bitrix24.stats import ExtractionStats
    from pipelines.extract import run_extraction
    from pipelines.warehouse import WarehouseConfig

    warehouse = WarehouseConfig(duckdb_path=workdir / "warehouse.duckdb", pipelines_dir=workdir / "pipelines")
    stats = ExtractionStats()
    started = time.monotonic()
    result = run_extraction(url, warehouse, requests_per_second=rps, entities=entities, reconcile=reconcile,
                            product_rows=product_rows, stats=stats)
    seconds = time.monotonic() - started
    from pipelines.bitrix24.entities import ENTITY_NAMES

    # The keyset-read tables (dictionary calls and the per-deal product rows are reported apart).
    listed = {name: counters for name, counters in stats.entities.items() if name in ENTITY_NAMES}
    list_rows = sum(counters.rows for counters in listed.values())
    list_requests = sum(counters.requests for counters in listed.values())
    list_seconds = max((counters.finished or time.monotonic()) - stats.started for counters in listed.values())
    slowest = max(listed, key=lambda name: (listed[name].finished or time.monotonic()))
    print(f"  (last table read: {slowest} at {list_seconds:.0f}s; dlt phases: "
          + ", ".join(f"{name} {seconds:.0f}s" for name, seconds in result.phases.items()) + ")")
    product = stats.entities.get("deal_product_rows")
    return {"seconds": seconds, "rows": stats.rows, "requests": result.requests, "list_rows": list_rows,
            "list_requests": list_requests, "list_seconds": list_seconds,
            "product_rows": product.rows if product else 0, "product_requests": product.requests if product else 0}


# One fast-bitrix24 get_all in a child process, so a call that does not return can be stopped.
FAST_GET_ALL = ("import sys, warnings, json; warnings.simplefilter('ignore'); from fast_bitrix24 import Bitrix; "
                "rows = Bitrix(sys.argv[1], verbose=False).get_all(sys.argv[2], params=json.loads(sys.argv[3])); "
                "print(f'ROWS={len(rows)}')")


def server_counters(url: str) -> dict:
    import requests

    return requests.get(f"{url.split('/rest/')[0]}/sandbox/status?token={TOKEN}", timeout=30).json()


def run_fast_bitrix24(url: str, methods, seconds_limit: float) -> dict:
    """fast-bitrix24's get_all per method, each stopped after seconds_limit. What it received is
    read from the server's counters (records returned, requests, rejections), so a method that
    gives up or is stopped still has a rate."""
    import json

    rows, started, per_method = 0, time.monotonic(), {}
    for method, params in methods:
        before, method_started = server_counters(url), time.monotonic()
        child = subprocess.Popen([sys.executable, "-c", FAST_GET_ALL, url, method, json.dumps(params)],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            output, outcome = child.communicate(timeout=seconds_limit)[0], "done"
        except subprocess.TimeoutExpired:
            child.kill()
            output, outcome = child.communicate()[0], f"stopped after {seconds_limit:.0f}s"
        seconds, after = time.monotonic() - method_started, server_counters(url)
        got = re.search(r"ROWS=(\d+)", output)
        if outcome == "done" and not got:
            outcome = "gave up: " + (output.strip().splitlines() or ["no output"])[-1][:120]
        served = after["rows"] - before["rows"]
        per_method[method] = {
            "rows": int(got.group(1)) if got else 0, "served": served, "seconds": seconds, "outcome": outcome,
            "requests": after["requests"] - before["requests"],
            "rejected": after["rejected_rate"] - before["rejected_rate"] + after["rejected_operating"]
            - before["rejected_operating"]}
        rows += served
    return {"rows": rows, "seconds": time.monotonic() - started, "per_method": per_method}


def print_fast_bitrix24(fast: dict) -> None:
    print(f"  fast-bitrix24 get_all: the server returned it {fast['rows']:,} rows in {fast['seconds']:.0f}s = "
          f"{fast['rows'] / max(fast['seconds'], 1e-9):,.0f} rows/s")
    for method, figures in fast["per_method"].items():
        print(f"    {method}: {figures['served']:,} rows served in {figures['seconds']:.0f}s = "
              f"{figures['served'] / max(figures['seconds'], 1e-9):,.0f} rows/s; {figures['requests']:,} requests, "
              f"{figures['rejected']:,} rejected by the limits; {figures['outcome']}"
              + (f" ({figures['rows']:,} rows returned)" if figures["rows"] else ""))


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def throttled(args) -> None:
    portal = portal_dir(args.scale, args.seed)
    server = Server(portal, args.port, "--limits", "cloud", "--no-operating")
    workdir = Path(f"/tmp/bench-extract-{args.scale}")
    shutil.rmtree(workdir, ignore_errors=True)
    try:
        ours = run_ours(server.url, workdir, rps=2.0)
        rate = ours["list_rows"] / ours["list_seconds"]
        print(f"throttled {args.scale}: our extractor, cloud request limit (burst 50, 2/s)")
        print(f"  list methods: {ours['list_rows']:,} rows, {ours['list_requests']:,} requests in "
              f"{ours['list_seconds']:.0f}s = {rate:,.0f} rows/s = {100 * rate / THEORETICAL:.0f}% of {THEORETICAL:,}")
        print(f"  product rows (one call per deal): {ours['product_rows']:,} rows, {ours['product_requests']:,} requests")
        print(f"  whole run incl. load: {ours['rows']:,} rows in {ours['seconds']:.0f}s; peak RSS {peak_rss_mib():,.0f} MiB")
    finally:
        server.stop()
    server = Server(portal, args.port, "--limits", "cloud", "--no-operating")
    try:
        print_fast_bitrix24(run_fast_bitrix24(server.url, BIG, seconds_limit=args.fast_limit))
    finally:
        server.stop()


def operating(args) -> None:
    portal = portal_dir(args.scale, args.seed)
    scale = str(args.time_scale)
    methods = BIG[:1]
    entities = ["deals"]
    server = Server(portal, args.port, "--limits", "cloud", "--time-scale", scale)
    workdir = Path(f"/tmp/bench-extract-op-{args.scale}")
    shutil.rmtree(workdir, ignore_errors=True)
    try:
        ours = run_ours(server.url, workdir, rps=2.0, entities=entities, product_rows=False)
        print(f"operating-time limit on ({args.scale}, time scale {scale}): our extractor on {', '.join(entities)}")
        print(f"  {ours['list_rows']:,} rows in {ours['list_seconds']:.0f}s = {ours['list_rows'] / ours['list_seconds']:,.0f} rows/s")
    finally:
        server.stop()
    server = Server(portal, args.port, "--limits", "cloud", "--time-scale", scale)
    try:
        print_fast_bitrix24(run_fast_bitrix24(server.url, methods, seconds_limit=args.fast_limit))
    finally:
        server.stop()


def unthrottled(args) -> None:
    import orjson
    import requests

    chosen = [(method, params) for method, params in BIG if ENTITY_OF[method] in args.tables.split(",")]
    portal = portal_dir(args.scale, args.seed)
    server = Server(portal, args.port)
    workdir = Path(f"/tmp/bench-extract-free-{args.scale}")
    shutil.rmtree(workdir, ignore_errors=True)
    try:
        session, rows, started = requests.Session(), 0, time.monotonic()
        for method, params in chosen:  # a bare client: chained keyset batches, fetched and parsed
            after, key = 0, "ID"
            while True:
                cmd = {}
                for index in range(50):
                    ref = after if index == 0 else (f"$result[p{index - 1:02d}]" + ("[items]" if "stagehistory" in method else "")
                                                    + f"[49][{key}]")
                    extra = "".join(f"&{k}={v}" for k, v in params.items())
                    cmd[f"p{index:02d}"] = f"{method}?order[ID]=ASC&filter[>ID]={ref}&start=-1{extra}"
                body = orjson.loads(session.post(server.url + "batch", json={"halt": 1, "cmd": cmd}).content)
                pages = [body["result"]["result"][k] for k in sorted(body["result"]["result"])]
                pages = [page["items"] if isinstance(page, dict) else page for page in pages]
                done = False
                for page in pages:
                    rows += len(page)
                    if len(page) < 50:
                        done = True
                        break
                if done:
                    break
                after = pages[-1][-1][key]
        bare_seconds = time.monotonic() - started
        print(f"unthrottled {args.scale}: bare fetch+parse of {', '.join(m for m, _ in chosen)}: {rows:,} rows in "
              f"{bare_seconds:.0f}s = {rows / bare_seconds:,.0f} rows/s")
        ours = run_ours(server.url, workdir, rps=0, entities=[ENTITY_OF[method] for method, _ in chosen],
                        product_rows=False)
        our_rows = ours["list_rows"]
        print(f"  our extract+load of the same tables: {our_rows:,} rows in {ours['seconds']:.0f}s = "
              f"{our_rows / ours['seconds']:,.0f} rows/s ({100 * our_rows / ours['seconds'] / (rows / bare_seconds):.0f}% "
              f"of bare; plus {ours['product_rows']:,} product rows); peak RSS {peak_rss_mib():,.0f} MiB")
        if args.then_all:  # the other entities into the same warehouse: a whole large load, for memory and for dbt
            rest = run_ours(server.url, workdir, rps=0, entities=None, product_rows=False)
            print(f"  then every other entity (big tables incremental, no product rows): {rest['rows']:,} rows, "
                  f"{rest['requests']:,} requests in {rest['seconds']:.0f}s; peak RSS over the whole load "
                  f"{peak_rss_mib():,.0f} MiB; warehouse {workdir / 'warehouse.duckdb'}")
    finally:
        server.stop()


def incremental(args) -> None:
    portal = portal_dir(args.scale, args.seed)
    workdir = Path(f"/tmp/bench-extract-inc-{args.scale}")
    shutil.rmtree(workdir, ignore_errors=True)
    server = Server(portal, args.port, "--live-every", "1000000000", "--live-seed", "1")
    try:
        full = run_ours(server.url, workdir, rps=0)
        print(f"incremental {args.scale}: full load {full['rows']:,} rows, {full['requests']:,} requests, {full['seconds']:.0f}s")
        same = run_ours(server.url, workdir, rps=0)
        print(f"  no changes: {same['rows']:,} rows, {same['requests']:,} requests, {same['seconds']:.1f}s "
              f"({100 * same['seconds'] / full['seconds']:.1f}% of the full load's time)")
        import requests as http

        base = server.url.split("/rest/")[0]
        http.post(f"{base}/sandbox/live/advance?steps=1&token={TOKEN}&share=0.01", timeout=600)
        changed = run_ours(server.url, workdir, rps=0)
        print(f"  after a live step: {changed['rows']:,} rows, {changed['requests']:,} requests, {changed['seconds']:.1f}s "
              f"({100 * changed['seconds'] / full['seconds']:.1f}% of the full load's time)")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["throttled", "operating", "unthrottled", "incremental"])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--port", type=int, default=8793)
    parser.add_argument("--time-scale", type=float, default=60.0)
    parser.add_argument("--tables", default="deals,activities,deal_stage_history,leads",
                        help="unthrottled: which big tables to fetch")
    parser.add_argument("--then-all", action="store_true", help="unthrottled: then load every other entity too")
    parser.add_argument("--fast-limit", type=float, default=300.0, help="stop each fast-bitrix24 get_all after this many seconds")
    args = parser.parse_args()
    {"throttled": throttled, "operating": operating, "unthrottled": unthrottled, "incremental": incremental}[args.mode](args)


if __name__ == "__main__":
    main()
