"""Benchmark: how fast the sandbox portal serves pages (limits off), so it never limits an extractor.

The server runs in its own process (`crm-warehouse sandbox serve`), as it would for an extractor;
this process is the client: keep-alive HTTP, JSON parsed with orjson, like a real client.

    python bench/bench_serve.py --portal /tmp/portal-large            # an existing portal
    python bench/bench_serve.py --scale large --seed 42               # generate it first (minutes)

Prints: index build time; pages/s and rows/s for keyset paging (`>ID`, start=-1, the fast path),
offset paging with counting (`start=N`), chained keyset pages inside `batch`, and two concurrent
clients; and the server's peak memory.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import requests

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token"


def start_server(portal: Path, port: int) -> tuple[subprocess.Popen, str, float]:
    started = time.monotonic()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "crm-warehouse"), "sandbox", "serve", "--portal", str(portal),
         "--port", str(port), "--token", TOKEN, "--index", "disk"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    for line in process.stdout:  # type: ignore[union-attr]
        match = re.search(r"Webhook URL: (\S+)", line)
        if match:
            threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()  # drain
            return process, match.group(1), time.monotonic() - started
    raise RuntimeError("sandbox did not start")


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def keyset_pages(session: requests.Session, url: str, method: str, pages: int, after: int = 0) -> tuple[int, int]:
    rows, done = 0, 0
    for _ in range(pages):
        done += 1
        body = orjson.loads(session.post(url + method, json={
            "order": {"ID": "ASC"}, "filter": {">ID": after}, "start": -1, "select": ["*", "UF_*"]}).content)
        page = body["result"]
        rows += len(page)
        if len(page) < 50:
            break
        after = int(page[-1]["ID"])
    return done, rows


def measure(label: str, work) -> None:
    started = time.monotonic()
    pages, rows = work()
    elapsed = time.monotonic() - started
    print(f"  {label:<44} {pages / elapsed:>8.1f} pages/s {rows / elapsed:>10,.0f} rows/s  ({pages} pages, {elapsed:.1f}s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portal", type=Path)
    parser.add_argument("--scale", default="large")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--pages", type=int, default=2000, help="pages per keyset measurement")
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    portal = args.portal or Path(f"/tmp/crm-sandbox-{args.scale}-seed{args.seed}")
    if not (portal / "portal.json").exists():
        from sandbox.generator import generate_portal

        print(f"generating {args.scale} portal into {portal} ...", flush=True)
        started = time.monotonic()
        generate_portal(portal, seed=args.seed, scale=args.scale)
        print(f"  generated in {time.monotonic() - started:.1f}s")

    process, url, startup = start_server(portal, args.port)
    try:
        print(f"portal {portal}: server ready in {startup:.1f}s (index build or reuse)")
        session = requests.Session()
        measure("keyset crm.deal.list (start=-1, >ID)", lambda: keyset_pages(session, url, "crm.deal.list", args.pages))
        measure("keyset crm.activity.list", lambda: keyset_pages(session, url, "crm.activity.list", args.pages // 2))

        def offset_pages() -> tuple[int, int]:
            rows, pages = 0, 200
            total = orjson.loads(session.post(url + "crm.deal.list", json={"select": ["ID"]}).content)["total"]
            for index in range(pages):
                start = (index * 50 * 97) % max(total - 50, 1) // 50 * 50  # pages spread over the table
                body = orjson.loads(session.post(url + "crm.deal.list", json={
                    "order": {"ID": "ASC"}, "start": start}).content)
                rows += len(body["result"])
            return pages, rows

        measure("offset crm.deal.list (counted, spread start)", offset_pages)

        def batch_chains() -> tuple[int, int]:
            rows, after, batches, done = 0, 0, 20, 0
            for _ in range(batches):
                cmd = {"0": f"crm.deal.list?order[ID]=ASC&filter[>ID]={after}&start=-1"}
                for index in range(1, 50):
                    cmd[str(index)] = (f"crm.deal.list?order[ID]=ASC&filter[>ID]=$result[{index - 1}][49][ID]"
                                       f"&start=-1")
                body = orjson.loads(session.post(url + "batch", json={"halt": 1, "cmd": cmd}).content)
                results = body["result"]["result"]
                pages = results if isinstance(results, list) else [results[key] for key in sorted(results, key=int)]
                rows += sum(len(page) for page in pages)
                done += len(pages)
                if not pages[-1] or len(pages[-1]) < 50:
                    break
                after = int(pages[-1][-1]["ID"])
            return done, rows

        measure("batch: 50 chained keyset pages per request", batch_chains)

        def concurrent() -> tuple[int, int]:
            results: list[tuple[int, int]] = []
            threads = [threading.Thread(target=lambda offset=offset: results.append(
                keyset_pages(requests.Session(), url, "crm.deal.list", args.pages // 2, after=offset)))
                for offset in (0, 500_000)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return sum(pages for pages, _ in results), sum(rows for _, rows in results)

        measure("keyset, 2 concurrent clients", concurrent)
        print(f"server peak RSS: {peak_rss_mib(process.pid):,.0f} MiB; index: "
              f"{(portal / '.sandbox' / 'index.duckdb').stat().st_size / 2**20:,.0f} MiB on disk")
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
