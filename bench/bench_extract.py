"""Benchmark: extraction speed against a sandbox portal, next to fast-bitrix24 on the same limits.

    python bench/bench_extract.py throttled   --scale medium   # cloud request limit: rows/s vs 5,000
    python bench/bench_extract.py operating   --scale large    # + operating-time cost model (time-scaled)
    python bench/bench_extract.py unthrottled --scale large    # no limits: extract+load vs a bare fetch
    python bench/bench_extract.py incremental --scale medium   # no change, then 1% changed
    python bench/bench_extract.py chunks      --scale medium   # product rows: deals per =ownerId array
    python bench/bench_extract.py projection  --scale large    # a slice of the whole large load, projected

The sandbox runs in its own process (`crm-warehouse sandbox serve`), so server and client do not
share a core's GIL. Figures go to stdout; docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import functools
import math
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
            "product_rows": product.rows if product else 0, "product_requests": product.requests if product else 0,
            "product_seconds": ((product.finished or time.monotonic()) - stats.started) if product else 0,
            "extract_seconds": result.phases.get("extract", seconds),
            "phases": result.phases}


# One fast-bitrix24 get_all in a child process, so a call that does not return can be stopped.
FAST_GET_ALL = ("import sys, warnings, json; warnings.simplefilter('ignore'); from fast_bitrix24 import Bitrix; "
                "rows = Bitrix(sys.argv[1], verbose=False).get_all(sys.argv[2], params=json.loads(sys.argv[3])); "
                "print(f'ROWS={len(rows)}')")
# fast-bitrix24's way to many single calls: `call` with a list of parameter sets, 50 to a batch.
FAST_CALL_PER_DEAL = ("import sys, warnings, json; warnings.simplefilter('ignore'); from fast_bitrix24 import Bitrix; "
                      "ids = json.load(open(sys.argv[3])); rows = Bitrix(sys.argv[1], verbose=False).call(sys.argv[2], "
                      "[{'filter': {'=ownerType': 'D', '=ownerId': i}} for i in ids]); print(f'ROWS={len(rows)}')")
BULK = "crm.item.productrow.list"


def server_counters(url: str) -> dict:
    import requests

    return requests.get(f"{url.split('/rest/')[0]}/sandbox/status?token={TOKEN}", timeout=30).json()


def run_fast_bitrix24(url: str, methods, seconds_limit: float) -> dict:
    """fast-bitrix24's get_all per method."""
    import json

    return run_fast_jobs(url, [(method, FAST_GET_ALL, [method, json.dumps(params)]) for method, params in methods],
                         seconds_limit)


def run_fast_jobs(url: str, jobs, seconds_limit: float) -> dict:
    """fast-bitrix24 jobs (label, script, arguments), each in a child process stopped after
    seconds_limit. What it received is read from the server's counters (records returned,
    requests, rejections), so a job that gives up or is stopped still has a rate."""
    rows, started, per_method = 0, time.monotonic(), {}
    for label, script, arguments in jobs:
        before, method_started = server_counters(url), time.monotonic()
        child = subprocess.Popen([sys.executable, "-c", script, url, *arguments],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            output, outcome = child.communicate(timeout=seconds_limit)[0], "done"
        except subprocess.TimeoutExpired:
            child.kill()
            output, outcome = child.communicate()[0], f"stopped after {seconds_limit:.0f}s"
        seconds, after = time.monotonic() - method_started, server_counters(url)
        got = re.search(r"ROWS=(\d+)", output)
        if outcome == "done" and not got:
            outcome = "gave up: " + (output.strip().splitlines() or ["no output"])[-1][:160]
        served = after["rows"] - before["rows"]
        per_method[label] = {
            "rows": int(got.group(1)) if got else 0, "served": served, "seconds": seconds, "outcome": outcome,
            "requests": after["requests"] - before["requests"],
            "rejected": after["rejected_rate"] - before["rejected_rate"] + after["rejected_operating"]
            - before["rejected_operating"]}
        rows += served
    return {"rows": rows, "seconds": time.monotonic() - started, "per_method": per_method}


def print_fast_bitrix24(fast: dict) -> None:
    print(f"  fast-bitrix24: the server returned it {fast['rows']:,} rows in {fast['seconds']:.0f}s = "
          f"{fast['rows'] / max(fast['seconds'], 1e-9):,.0f} rows/s")
    for method, figures in fast["per_method"].items():
        print(f"    {method}: {figures['served']:,} rows served in {figures['seconds']:.0f}s = "
              f"{figures['served'] / max(figures['seconds'], 1e-9):,.0f} rows/s; {figures['requests']:,} requests, "
              f"{figures['rejected']:,} rejected by the limits; {figures['outcome']}"
              + (f" ({figures['rows']:,} rows returned)" if figures["rows"] else ""))


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def deal_ids(portal: Path) -> list[int]:
    import orjson

    return [int(deal["ID"]) for deal in orjson.loads((portal / "crm.deal.list.json").read_bytes())]


def print_first_load(label: str, ours: dict) -> None:
    rate = ours["list_rows"] / ours["list_seconds"]
    whole = ours["rows"] / ours["seconds"]
    product_rate = ours["product_rows"] / max(ours["product_requests"], 1)
    print(f"{label}: our extractor, cloud request limit (burst 50, 2/s)")
    print(f"  keyset list tables: {ours['list_rows']:,} rows, {ours['list_requests']:,} requests in "
          f"{ours['list_seconds']:.0f}s = {rate:,.0f} rows/s = {100 * rate / THEORETICAL:.0f}% of {THEORETICAL:,}")
    print(f"  product rows ({BULK}, up to {product_chunk()} deals per =ownerId array): {ours['product_rows']:,} rows, "
          f"{ours['product_requests']:,} requests = {product_rate:,.0f} rows a request, done at {ours['product_seconds']:.0f}s")
    print(f"  WHOLE first load, every table (extract + normalize + load): {ours['rows']:,} rows, {ours['requests']:,} "
          f"requests in {ours['seconds']:.0f}s = {whole:,.0f} rows/s = {100 * whole / THEORETICAL:.0f}% of {THEORETICAL:,} "
          f"(reads done at {ours['extract_seconds']:.0f}s; dlt phases: "
          + ", ".join(f"{name} {seconds:.0f}s" for name, seconds in ours["phases"].items())
          + f"); peak RSS {peak_rss_mib():,.0f} MiB")


def product_chunk() -> int:
    from pipelines.bitrix24.product_rows import MAX_OWNER_IDS

    return int(os.environ.get("SOURCES__BITRIX24__PRODUCT_ROW_CHUNK", MAX_OWNER_IDS))


def fast_product_rows(url: str, portal: Path, workdir: Path, seconds_limit: float) -> dict:
    """fast-bitrix24 on crm.item.productrow.list: get_all with an =ownerId array (as we ask), and
    its batched single calls, one deal per command."""
    import json

    ids = deal_ids(portal)
    ids_file = workdir / "deal_ids.json"
    ids_file.write_text(json.dumps(ids))
    chunk = json.dumps({"filter": {"=ownerType": "D", "=ownerId": ids[:product_chunk()]}})
    return run_fast_jobs(url, [
        (f"get_all {BULK}, {product_chunk()} deals in =ownerId", FAST_GET_ALL, [BULK, chunk]),
        (f"call {BULK}, one deal a command, all {len(ids):,} deals", FAST_CALL_PER_DEAL, [BULK, str(ids_file)]),
    ], seconds_limit)


def throttled(args) -> None:
    portal = portal_dir(args.scale, args.seed)
    server = Server(portal, args.port, "--limits", "cloud", "--no-operating")
    workdir = Path(f"/tmp/bench-extract-{args.scale}")
    shutil.rmtree(workdir, ignore_errors=True)
    try:
        ours = run_ours(server.url, workdir, rps=2.0)
        print_first_load(f"throttled {args.scale}", ours)
    finally:
        server.stop()
    server = Server(portal, args.port, "--limits", "cloud", "--no-operating")
    try:
        print_fast_bitrix24(fast_product_rows(server.url, portal, workdir, seconds_limit=args.fast_limit))
        if not args.skip_fast_lists:
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
              f"({100 * changed['seconds'] / full['seconds']:.1f}% of the full load's time); product rows of the "
              f"changed deals: {changed['product_rows']:,} rows in {changed['product_requests']:,} requests "
              f"(full load: {full['product_rows']:,} in {full['product_requests']:,})")
    finally:
        server.stop()


def chunks(args) -> None:
    """Product rows only, by chunk size (deals per =ownerId array): requests, rows a request, the
    request body, and the time with no limits (server + client work; the cloud limit then costs
    a further half second per request beyond the burst)."""
    import orjson

    from pipelines.bitrix24.pacing import PacingConfig
    from pipelines.bitrix24.product_rows import BulkProductRowReader, ChangedDeals
    from pipelines.bitrix24.transport import Bitrix24Transport, TransportConfig
    from pipelines.bitrix24.webhook import Webhook

    class MeasuredReader(BulkProductRowReader):
        bodies: list[int]

        def _body(self, segments):
            body = super()._body(segments)
            self.bodies.append(len(orjson.dumps(body)))
            return body

    portal = portal_dir(args.scale, args.seed)
    ids = deal_ids(portal)
    server = Server(portal, args.port)
    print(f"chunks {args.scale}: product rows of all {len(ids):,} deals with {BULK}, no limits")
    try:
        for size in [int(size) for size in args.sizes.split(",")]:
            transport = Bitrix24Transport(Webhook.parse(server.url),
                                          TransportConfig(pacing=PacingConfig(requests_per_second=0)))
            deals = ChangedDeals()
            deals.add(ids)
            deals.close()
            reader = MeasuredReader(transport, deals, max_owner_ids=size)
            reader.bodies = []
            started = time.monotonic()
            rows = sum(len(answer.rows) for answer in reader.read())
            seconds = time.monotonic() - started
            limited = max(0, reader.requests - 48) / 2
            print(f"  {size:>4} deals per array: {rows:,} rows, {reader.requests:,} requests = "
                  f"{rows / reader.requests:,.0f} rows a request ({100 * rows / reader.requests / 2500:.0f}% of 2,500); "
                  f"body {sum(reader.bodies) / len(reader.bodies) / 1024:,.0f} KiB mean, {max(reader.bodies) / 1024:,.0f} "
                  f"KiB max; {seconds:.1f}s unthrottled = {1000 * seconds / reader.requests:.0f} ms a request; "
                  f"under the cloud limit >= {limited:.0f}s after the burst")
    finally:
        server.stop()


# Raw table -> (method, fixture file) for the projection of a complete first load.
FIRST_LOAD = {
    "leads": ("crm.lead.list", "crm.lead.list.json"), "deals": ("crm.deal.list", "crm.deal.list.json"),
    "contacts": ("crm.contact.list", "crm.contact.list.json"), "companies": ("crm.company.list", "crm.company.list.json"),
    "activities": ("crm.activity.list", "crm.activity.list.json"),
    "invoices": ("crm.item.list", "crm.item.list.smart_invoice.json"),
    "deal_stage_history": ("crm.stagehistory.list", "crm.stagehistory.list.deal.json"),
    "lead_stage_history": ("crm.stagehistory.list", "crm.stagehistory.list.lead.json"),
    "calls": ("voximplant.statistic.get", "voximplant.statistic.get.json"), "users": ("user.get", "user.get.json"),
    "departments": ("department.get", "department.get.json"), "products": ("catalog.product.list", "catalog.product.list.json"),
    "deal_product_rows": (BULK, "crm.deal.productrows.get.json"),
}
# dlt normalize + load after the reads, per row: the unthrottled large load (docs/benchmarks.md,
# run 3: normalize 286 s + load 46 s for 8,455,269 rows).
TAIL_SECONDS_PER_ROW = (286 + 46) / 8_455_269


def projection(args) -> None:
    """A measured slice of the complete first load of `large` (1,000,000 deals) under both cloud
    limits at real speed, then the time to the end: the request bound (2 requests/s beyond the
    burst) and, per method, the operating-time bound (commands x cost against 480 s per 10
    minutes, held at 90% by our pacer), whichever is longer, plus dlt's normalize and load."""
    import json

    from pipelines.bitrix24.pacing import PacingConfig
    from pipelines.bitrix24.stats import ExtractionStats
    from pipelines.extract import run_extraction
    from pipelines.warehouse import WarehouseConfig
    from sandbox.server.methods.listing import CostModel

    portal = portal_dir(args.scale, args.seed)
    counts = json.loads((portal / "portal.json").read_text())["counts"]
    totals = {table: counts.get(file, 0) for table, (_, file) in FIRST_LOAD.items()}
    workdir = Path(f"/tmp/bench-extract-projection-{args.scale}")
    shutil.rmtree(workdir, ignore_errors=True)
    # An index in memory: the portal directory is only read.
    server = Server(portal, args.port, "--limits", "cloud", "--index", "memory")
    stats = ExtractionStats()
    failure: list[BaseException] = []

    def load() -> None:
        try:
            run_extraction(server.url, WarehouseConfig(duckdb_path=workdir / "warehouse.duckdb",
                                                       pipelines_dir=workdir / "pipelines"),
                           requests_per_second=2.0, stats=stats)
        except BaseException as error:  # the server goes away at the end of the slice
            failure.append(error)

    print(f"projection {args.scale}: the complete first load under both cloud limits (burst 50, 2 requests/s; "
          f"operating time 480 s / 10 min per method, time scale 1), measured for {args.minutes:.0f} min")
    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(timeout=args.minutes * 60)
    elapsed = time.monotonic() - stats.started
    measured = {name: (counters.rows, counters.requests) for name, counters in stats.entities.items()}
    status = server_counters(server.url)
    server.stop()
    rows = sum(measured.get(table, (0, 0))[0] for table in FIRST_LOAD)
    requests = sum(requests for _, requests in measured.values())
    print(f"  measured: {rows:,} rows, {requests:,} requests in {elapsed:.0f}s = {rows / elapsed:,.0f} rows/s "
          f"({100 * rows / elapsed / THEORETICAL:.0f}% of {THEORETICAL:,}); the server refused {status['rejected_rate']:,} "
          f"for the request rate, {status['rejected_operating']:,} for operating time"
          + (f"; finished early: {failure[0]!r}"[:200] if failure and not worker.is_alive() else ""))
    for table in FIRST_LOAD:
        got, made = measured.get(table, (0, 0))
        print(f"    {table}: {got:,} of {totals[table]:,} rows, {made:,} requests")
    product_rows, product_requests = measured.get("deal_product_rows", (0, 0))
    rows_per_product_request = product_rows / product_requests if product_requests >= 3 else 2_250.0
    need = {table: math.ceil(total / (rows_per_product_request if table == "deal_product_rows" else 2_500))
            for table, total in totals.items() if total}
    request_bound = max(0, sum(need.values()) - 48) / PacingConfig().requests_per_second
    cost = CostModel().base
    budget = PacingConfig().operating_budget * PacingConfig().operating_reserve
    per_method: dict[str, float] = {}
    for table, (method, _) in FIRST_LOAD.items():
        commands = totals[table] / 50 * (2_500 / rows_per_product_request if table == "deal_product_rows" else 1)
        per_method[method] = per_method.get(method, 0.0) + commands * cost
    operating_bound = {method: seconds / budget * 600 for method, seconds in per_method.items()}
    slowest = max(operating_bound, key=operating_bound.get)  # type: ignore[arg-type]
    all_rows = sum(totals.values())
    tail = all_rows * TAIL_SECONDS_PER_ROW
    reads = max(request_bound, operating_bound[slowest])
    print(f"  projection for all {all_rows:,} rows ({totals['deals']:,} deals, {totals['deal_product_rows']:,} "
          f"product rows at {rows_per_product_request:,.0f} a request):")
    print(f"    request limit: {sum(need.values()):,} requests -> {request_bound:,.0f}s = {request_bound / 3600:.1f} h "
          f"(5,000 rows/s)")
    for method, seconds in sorted(operating_bound.items(), key=lambda item: -item[1])[:4]:
        print(f"    operating time of {method}: {per_method[method]:,.0f}s of processing at {cost}s a page -> "
              f"{seconds:,.0f}s = {seconds / 3600:.1f} h")
    print(f"    reads end after {reads:,.0f}s ({'operating time of ' + slowest if reads > request_bound else 'request limit'}); "
          f"normalize + load {tail:,.0f}s; complete first load ~{(reads + tail) / 3600:.1f} h = "
          f"{all_rows / (reads + tail):,.0f} rows/s")
    os._exit(0)  # the extraction thread is still blocked on the stopped server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["throttled", "operating", "unthrottled", "incremental", "chunks", "projection"])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--port", type=int, default=8793)
    parser.add_argument("--time-scale", type=float, default=60.0)
    parser.add_argument("--tables", default="deals,activities,deal_stage_history,leads",
                        help="unthrottled: which big tables to fetch")
    parser.add_argument("--then-all", action="store_true", help="unthrottled: then load every other entity too")
    parser.add_argument("--fast-limit", type=float, default=300.0, help="stop each fast-bitrix24 get_all after this many seconds")
    parser.add_argument("--minutes", type=float, default=15.0, help="projection: how long to measure")
    parser.add_argument("--sizes", default="50,100,250,500,1000", help="chunks: deals per =ownerId array to try")
    parser.add_argument("--skip-fast-lists", action="store_true", help="throttled: fast-bitrix24 on product rows only")
    args = parser.parse_args()
    {"throttled": throttled, "operating": operating, "unthrottled": unthrottled, "incremental": incremental,
     "chunks": chunks, "projection": projection}[args.mode](args)


if __name__ == "__main__":
    main()
