"""What Dagster costs on top of the steps it runs, and how fast a changed plan file reaches the marts.

    python bench/bench_orchestration.py [--scale medium] [--dir /tmp/bench-orchestration]

1. Scheduler overhead: a no-change incremental run of a sandbox portal (after a first full run),
   as `crm-warehouse run` (a fresh process: extract, raw gate, inputs, dbt build, marts gate,
   publish, the funnel summary), as the same step functions timed one by one inside one process,
   and as the `pipeline` job under `dagster job execute` with the repository's dagster.yaml (the
   run a schedule starts: the same steps, every event stored in the instance).
2. Plan file to marts: `dagster-daemon run` watches the inputs; the bench changes
   data/inputs/sales_plans.csv and waits for marts/sales_plan_fulfilment and
   marts/activity_plan_fact_daily to be materialized by the run the sensor started.

Everything lives in --dir (warehouse, sandbox portal, Dagster instance); nothing of data/ is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BIN = Path(sys.executable).parent


def say(text: str) -> None:
    print(text, flush=True)


def environment(base: Path, scale: str) -> dict[str, str]:
    portals = base / "portals.toml"
    portals.write_text(f'[[portal]]\nname = "sandbox"\nsandbox = "{scale}"\nseed = 42\nrequests_per_second = 0\n')
    home = base / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    link = home / "dagster.yaml"
    if not link.exists():
        link.symlink_to(REPO / "dagster.yaml")
    return {**os.environ, "CRM_WAREHOUSE_PORTALS": str(portals), "CRM_WAREHOUSE_DATA_DIR": str(base / "data"),
            "DAGSTER_HOME": str(home), "RUNTIME__LOG_LEVEL": "ERROR", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "RUNTIME__DLTHUB_TELEMETRY": "false", "GX_ANALYTICS_ENABLED": "false", "DAGSTER_DISABLE_TELEMETRY": "1"}


def steps_directly(base: Path, scale: str) -> dict[str, float]:
    """The main job's steps, called as `crm-warehouse run` calls them; seconds per step."""
    from expectations.gates import run_gate
    from orchestration.publish import publish_marts
    from orchestration.steps import (ensure_sandbox_portal, load_business_inputs, sandbox_clock, serving_sandbox,
                                     write_sandbox_plans)
    from orchestration.transform import run_dbt
    from pipelines.extract import run_extraction
    from pipelines.warehouse import WarehouseConfig

    data = base / "data"
    warehouse = WarehouseConfig(duckdb_path=data / "warehouse.duckdb", pipelines_dir=data / ".dlt" / "pipelines")
    portal_dir, _ = ensure_sandbox_portal(data, scale, 42)
    times: dict[str, float] = {}
    started = time.monotonic()
    with serving_sandbox(portal_dir) as running:
        result = run_extraction(running.webhook_url, warehouse, requests_per_second=0)
    times["extract"] = time.monotonic() - started
    clock = sandbox_clock(portal_dir)
    mark = time.monotonic()
    assert run_gate(warehouse, "raw", [result.portal_id], now=clock).success
    times["raw gate"] = time.monotonic() - mark
    mark = time.monotonic()
    load_business_inputs(warehouse, data / "inputs", write_sandbox_plans(portal_dir, result.portal_id))
    times["inputs"] = time.monotonic() - mark
    mark = time.monotonic()
    build = run_dbt(warehouse)
    assert build.success, build.summary
    times["dbt build"] = time.monotonic() - mark
    mark = time.monotonic()
    assert run_gate(warehouse, "marts", now=clock).success
    times["marts gate"] = time.monotonic() - mark
    mark = time.monotonic()
    publish_marts(warehouse)
    times["publish"] = time.monotonic() - mark
    times["total"] = time.monotonic() - started
    return times


def dagster_job_execute(env: dict[str, str]) -> float:
    started = time.monotonic()
    process = subprocess.run([str(BIN / "dagster"), "job", "execute", "-m", "orchestration.definitions", "-j", "pipeline",
                              "--tags", json.dumps({"dagster/partition": "sandbox"})],
                             cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise SystemExit("dagster job execute failed:\n" + process.stderr[-3000:])
    return seconds


def cli_run(base: Path, scale: str, env: dict[str, str]) -> float:
    """`crm-warehouse run` on the same portal and warehouse (its relative data/.dlt is base/data)."""
    data = base / "data"
    started = time.monotonic()
    process = subprocess.run([str(BIN / "crm-warehouse"), "run", "--sandbox", scale, "--seed", "42", "--data-dir",
                              str(data), "--warehouse", str(data / "warehouse.duckdb"), "--inputs", str(data / "inputs")],
                             cwd=base, env=env, capture_output=True, text=True)
    if process.returncode != 0:
        raise SystemExit("crm-warehouse run failed:\n" + process.stderr[-3000:])
    return time.monotonic() - started


def last_run_steps(env: dict[str, str]) -> str:
    """Seconds of each step of the newest run, from the instance's event log."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = env["DAGSTER_HOME"]
    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        return ", ".join(f"{step.step_key} {step.end_time - step.start_time:.1f} s"
                         for step in instance.get_run_step_stats(run.run_id) if step.end_time and step.start_time)


def plan_change_to_marts(base: Path, env: dict[str, str], timeout: float = 1200) -> dict[str, float]:
    """Seconds from a changed plan file to the plan/fact marts rebuilt by the sensor's run."""
    import dagster as dg

    inputs = base / "data" / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    plans = inputs / "sales_plans.csv"
    derived = next((base / "data" / "sandbox").glob("*/.sandbox/sales_plans.csv"))
    plans.write_text(derived.read_text())
    os.environ["DAGSTER_HOME"] = env["DAGSTER_HOME"]
    dg.DagsterInstance.get()  # its storage exists before the daemon starts (two first opens race)
    daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-m", "orchestration.definitions"], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with dg.DagsterInstance.get() as instance:
            def sensor_ticks() -> int:
                states = instance.all_instigator_state()
                return sum(len(instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=10))
                           for state in states if state.instigator_name == "input_files_changed")

            deadline = time.monotonic() + timeout
            while sensor_ticks() == 0:  # the first tick remembers the files
                if time.monotonic() > deadline:
                    raise SystemExit("the sensor never ticked")
                time.sleep(1)
            lines = plans.read_text().splitlines()
            header = next(index for index, line in enumerate(lines) if not line.startswith("#"))
            row = lines[header + 1].split(",")
            row[-1] = str(int(float(row[-1])) + 1)  # one manager's plan for one month and metric, +1
            lines[header + 1] = ",".join(row)
            changed_at = time.time()
            plans.write_text("\n".join(lines) + "\n")
            wanted = [dg.AssetKey(["marts", "sales_plan_fulfilment"]), dg.AssetKey(["marts", "activity_plan_fact_daily"])]
            started_at = None
            while True:
                if time.monotonic() > deadline:
                    raise SystemExit("the plan/fact marts were not rebuilt in time")
                runs = instance.get_runs(dg.RunsFilter(tags={"crm/changed_inputs": "sales_plans"}))
                if runs and started_at is None and runs[0].status != dg.DagsterRunStatus.QUEUED:
                    stats = instance.get_run_stats(runs[0].run_id)
                    started_at = stats.start_time
                if runs and runs[0].status == dg.DagsterRunStatus.FAILURE:
                    raise SystemExit("the sensor's run failed")
                done = [instance.get_latest_materialization_event(key) for key in wanted]
                if all(event is not None and event.timestamp > changed_at for event in done):
                    finished = max(event.timestamp for event in done)
                    return {"file changed -> run started": (started_at or finished) - changed_at,
                            "run started -> marts rebuilt": finished - (started_at or changed_at),
                            "file changed -> marts rebuilt": finished - changed_at}
                time.sleep(1)
    finally:
        daemon.terminate()
        daemon.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium", choices=["tiny", "small", "medium", "large"])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/bench-orchestration"))
    args = parser.parse_args()
    base = args.dir.resolve()
    base.mkdir(parents=True, exist_ok=True)
    env = environment(base, args.scale)
    os.environ.update({key: value for key, value in env.items() if key != "DAGSTER_HOME"})

    say(f"{args.scale} portal, everything under {base}")
    first = steps_directly(base, args.scale)
    say(f"first (full) run, steps directly: {first['total']:.1f} s")
    cli = cli_run(base, args.scale, env)
    say(f"no-change incremental run, crm-warehouse run: {cli:.1f} s")
    direct = steps_directly(base, args.scale)
    say("no-change incremental run, the same steps timed in one process: " + ", ".join(
        f"{name} {seconds:.1f} s" for name, seconds in direct.items()))
    executed = dagster_job_execute(env)
    say(f"no-change incremental run, dagster job execute: {executed:.1f} s = crm-warehouse run "
        f"{executed - cli:+.1f} s ({executed / cli - 1:+.0%}); steps: {last_run_steps(env)}")
    cli_again = cli_run(base, args.scale, env)
    say(f"crm-warehouse run again: {cli_again:.1f} s")
    for name, seconds in plan_change_to_marts(base, env).items():
        say(f"changed plan file: {name}: {seconds:.1f} s")


if __name__ == "__main__":
    main()
