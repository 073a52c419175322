"""Benchmark of the sandbox portal generator: seconds, rows/s and peak RSS per scale.

    .venv/bin/python bench/bench_generate.py                 # small and medium
    .venv/bin/python bench/bench_generate.py large --keep    # large, keep the files

Each scale runs in its own child process so peak RSS is per scale; output goes under /tmp and
is deleted afterwards unless --keep (a large portal is ~8 GB).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_one(scale: str, out_dir: Path, seed: int, workers: int | None) -> dict:
    """Generate one portal in this process and describe the run."""
    sys.path.insert(0, str(ROOT))
    from sandbox.generator import generate_portal

    started = time.perf_counter()
    report = generate_portal(out_dir, seed=seed, scale=scale, workers=workers)
    elapsed = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "scale": scale, "seconds": round(elapsed, 1), "records": report.total_records,
        "rows_per_second": round(report.total_records / elapsed),
        "peak_rss_main_mib": round(own), "peak_rss_worker_mib": round(children),
        "workers": report.workers, "bytes": sum(report.sizes.values()),
        "phases": {k: round(v, 1) for k, v in report.phase_seconds.items()},
        "counts": report.counts, "sizes": report.sizes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scales", nargs="*", default=["small", "medium"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the generated portals")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(run_one(args.scales[0], Path(args.child), args.seed, args.workers)))
        return

    for scale in args.scales:
        out_dir = Path(tempfile.mkdtemp(prefix=f"portal-{scale}-", dir="/tmp"))
        cmd = [sys.executable, __file__, scale, "--child", str(out_dir), "--seed",
               str(args.seed)]
        if args.workers is not None:
            cmd += ["--workers", str(args.workers)]
        try:
            result = json.loads(subprocess.run(cmd, check=True, capture_output=True,
                                               text=True).stdout.strip().splitlines()[-1])
        finally:
            if not args.keep:
                shutil.rmtree(out_dir, ignore_errors=True)
        print(f"{scale:>7}: {result['seconds']:8.1f} s  {result['records']:>11,} records  "
              f"{result['rows_per_second']:>9,} rows/s  peak RSS main "
              f"{result['peak_rss_main_mib']:,} MiB, worker {result['peak_rss_worker_mib']:,} MiB"
              f"  ({result['workers']} workers, {result['bytes'] / 2**30:.2f} GiB)")
        print(f"         phases (cumulative s): {result['phases']}")
        if scale == "large" or len(args.scales) == 1:
            for name, size in sorted(result["sizes"].items(), key=lambda kv: -kv[1]):
                print(f"         {name:<42} {result['counts'].get(name, ''):>10}  "
                      f"{size / 2**20:10.1f} MiB")
        if args.keep:
            print(f"         kept in {out_dir}")


if __name__ == "__main__":
    main()
