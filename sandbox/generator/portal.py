"""Orchestration: build the world, render every file (in parallel), order the history, join parts.

Determinism does not depend on the number of workers: every task renders a fixed id range with
its own seeded generator, parts are joined in a fixed order, and stage-history rows are numbered
only after a global sort.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import clients, deals, dictionaries, history, leads
from .clock import DEFAULT_AS_OF
from .fieldmeta import fields_map
from .scales import get_scale
from .skeleton import NO_SOURCE
from .world import World, build_world
from .writer import PARTS_DIR, PartSink, assemble, clean_parts, write_array, write_object

GENERATOR_NAME = "crm-warehouse sandbox 1"
HISTORY_SLICE = 500_000
DEAL_HISTORY_FILE = "crm.stagehistory.list.deal.json"
LEAD_HISTORY_FILE = "crm.stagehistory.list.lead.json"
STREAMED_FILES = (
    "crm.lead.list.json", "crm.deal.list.json", "crm.contact.list.json",
    "crm.company.list.json", "crm.activity.list.json", "voximplant.statistic.get.json",
    "crm.deal.productrows.get.json", "crm.item.list.smart_invoice.json",
    DEAL_HISTORY_FILE, LEAD_HISTORY_FILE,
)

# dirty kinds common enough that portal.json only counts them (the rare kinds list their ids)
COUNTED_ONLY = {"lead_converted_without_deal"}

Progress = Callable[[str, int], None]


@dataclass
class GenerationReport:
    """What was written: records per file, bytes per file, time taken, dirty-data tallies."""

    out_dir: Path
    seed: int
    scale: str
    counts: dict[str, int] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    elapsed_seconds: float = 0.0
    phase_seconds: dict[str, float] = field(default_factory=dict)
    dirty: dict[str, object] = field(default_factory=dict)
    scenarios: dict[str, dict[str, int]] = field(default_factory=dict)
    workers: int = 1

    @property
    def total_records(self) -> int:
        return sum(self.counts.values())


_WORLD: World | None = None
_PARTS: Path | None = None


def _run_task(task: tuple) -> tuple[tuple, dict]:
    """Worker entry point: render one task into its own part files."""
    kind = task[0]
    world, parts = _WORLD, _PARTS
    assert world is not None and parts is not None
    if kind in ("deal_history", "lead_history"):
        _, start, stop, keys_file = task
        keys = array("q")
        with open(keys_file, "rb") as fh:
            fh.seek(start * 8)
            keys.fromfile(fh, stop - start)
        file = DEAL_HISTORY_FILE if kind == "deal_history" else LEAD_HISTORY_FILE
        sink = PartSink(parts, f"{start:012d}")
        history.render_slice(keys, start + 1, "deal" if kind == "deal_history" else "lead",
                             world.clock, sink, file)
        return task, {"counts": sink.close()}
    index = task[1]
    if kind == "deals":
        sink = PartSink(parts, f"2-{index:06d}")
        result = deals.render_deals(world, index, sink)
    elif kind == "leads":
        sink = PartSink(parts, f"1-{index:06d}")
        result = leads.render_leads(world, index, sink)
    elif kind == "contacts":
        sink = PartSink(parts, f"3-{index:06d}")
        result = clients.render_contacts(world, index, sink)
    else:
        sink = PartSink(parts, f"4-{index:06d}")
        result = clients.render_companies(world, index, sink)
    result["counts"] = sink.close()
    return task, result


def _run_all(tasks: list[tuple], workers: int, on_result: Callable[[tuple, dict], None]) -> None:
    if workers <= 1:
        for task in tasks:
            on_result(*_run_task(task))
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers) as pool:
        for task, result in pool.imap_unordered(_run_task, tasks, chunksize=1):
            on_result(task, result)


def _default_workers(total_primary: int) -> int:
    if total_primary < 20_000 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def generate_portal(out_dir: Path, seed: int = 42, scale: str = "small",
                    progress: Progress | None = None, as_of: str = DEFAULT_AS_OF,
                    workers: int | None = None) -> GenerationReport:
    """Write a complete sandbox portal (fixture directory) for `seed` and `scale`.

    Same seed, scale and as-of give byte-identical files whatever `workers` is.
    """
    global _WORLD, _PARTS
    started = time.perf_counter()
    sc = get_scale(scale)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    parts = out_dir / PARTS_DIR
    clean_parts(parts)
    parts.mkdir()
    report = GenerationReport(out_dir=out_dir, seed=seed, scale=sc.name)
    notify = progress or (lambda _name, _rows: None)

    world = build_world(seed, sc, as_of)
    _WORLD, _PARTS = world, parts
    report.phase_seconds["plan"] = time.perf_counter() - started

    counts = report.counts
    counts["crm.status.list.json"] = write_array(out_dir / "crm.status.list.json",
                                                 dictionaries.status_records())
    counts["crm.category.list.deal.json"] = write_array(
        out_dir / "crm.category.list.deal.json", dictionaries.deal_category_records())
    counts["crm.category.list.smart_invoice.json"] = write_array(
        out_dir / "crm.category.list.smart_invoice.json",
        dictionaries.invoice_category_records())
    counts["crm.currency.list.json"] = write_array(out_dir / "crm.currency.list.json",
                                                   dictionaries.currency_records(world.clock))
    counts["user.get.json"] = write_array(
        out_dir / "user.get.json",
        dictionaries.user_records(world.staff, world.clock, world.rng("users")))
    counts["department.get.json"] = write_array(out_dir / "department.get.json",
                                                dictionaries.department_records(world.staff))
    counts["catalog.product.list.json"] = write_array(
        out_dir / "catalog.product.list.json",
        world.catalog.catalog_records(world.clock, world.rng("catalog")))
    for entity in ("deal", "lead", "contact", "company"):
        write_object(out_dir / f"crm.{entity}.fields.json", fields_map(entity))

    workers = workers if workers is not None else _default_workers(
        sc.deals + sc.leads + sc.contacts)
    report.workers = workers
    tasks: list[tuple] = [("deals", i) for i in range(len(world.deal_chunks))]
    tasks += [("leads", i) for i in range(len(world.lead_chunks))]
    tasks += [("contacts", i) for i in range(len(world.contact_chunks))]
    tasks += [("companies", i) for i in range(len(world.company_chunks))]
    streamed = {name: 0 for name in STREAMED_FILES}
    deal_events: dict[int, bytes] = {}
    lead_events: dict[int, bytes] = {}
    dirty_lists: dict[str, list[int]] = {}
    tallies: dict[str, int] = {}
    scenarios: dict[str, dict[str, int]] = {"deal": {}, "lead": {}}

    def on_result(task: tuple, result: dict) -> None:
        for name, n in result["counts"].items():
            streamed[name] = streamed.get(name, 0) + n
            notify(name, streamed[name])
        if task[0] in ("deals", "leads"):
            target = deal_events if task[0] == "deals" else lead_events
            target[task[1]] = result["events"]
            for key, ids in result["dirty"].items():
                dirty_lists.setdefault(key, []).extend(ids)
            tallies["overdue_activities"] = (tallies.get("overdue_activities", 0)
                                             + result["overdue_activities"])
            bucket = scenarios["deal" if task[0] == "deals" else "lead"]
            for key, n in result["scenarios"].items():
                bucket[key] = bucket.get(key, 0) + n
        for key, n in result.get("stats", {}).items():
            tallies[key] = tallies.get(key, 0) + n

    _run_all(tasks, workers, on_result)
    report.phase_seconds["render"] = time.perf_counter() - started

    history_tasks: list[tuple] = []
    for kind, chunks in (("deal_history", deal_events), ("lead_history", lead_events)):
        keys = array("q")
        for index in sorted(chunks):
            keys.frombytes(chunks[index])
        chunks.clear()
        keys = array("q", sorted(keys))
        keys_file = parts / f"{kind}.keys"
        with open(keys_file, "wb") as fh:
            keys.tofile(fh)
        for start in range(0, len(keys), HISTORY_SLICE):
            history_tasks.append((kind, start, min(len(keys), start + HISTORY_SLICE),
                                  str(keys_file)))
        del keys
    report.phase_seconds["sort_history"] = time.perf_counter() - started
    _run_all(history_tasks, workers, on_result)
    report.phase_seconds["history"] = time.perf_counter() - started

    for name in STREAMED_FILES:
        assemble(parts, out_dir / name, name)
        counts[name] = streamed.get(name, 0)
    clean_parts(parts)
    report.phase_seconds["assemble"] = time.perf_counter() - started

    sk = world.skeleton
    inactive = {u.id for u in world.staff.users if not u.active}
    tallies["deals_without_client"] = sum(
        1 for d in range(1, sc.deals + 1) if not sk.deal_contact[d] and not sk.deal_company[d])
    tallies["deals_without_source"] = sk.deal_source.count(NO_SOURCE)
    tallies["leads_without_source"] = sk.lead_source[1:].count(NO_SOURCE)
    tallies["deals_owned_by_inactive_users"] = sum(1 for u in sk.deal_assigned[1:]
                                                   if u in inactive)
    tallies["leads_owned_by_inactive_users"] = sum(1 for u in sk.lead_assigned[1:]
                                                   if u in inactive)
    listed = {k: v for k, v in dirty_lists.items() if k not in COUNTED_ONLY}
    report.dirty = {"counts": dict(sorted(tallies.items())),
                    "ids": {k: sorted(v) for k, v in sorted(listed.items())}}
    report.dirty["counts"].update({k: len(v) for k, v in dirty_lists.items()})
    report.scenarios = {k: dict(sorted(v.items())) for k, v in scenarios.items()}
    _WORLD = _PARTS = None

    meta = {
        "timezone_offset": world.clock.offset_text,
        "now": world.clock.as_of_text,
        "seed": seed,
        "scale": sc.name,
        "generator": GENERATOR_NAME,
        "counts": dict(sorted(counts.items())),
        "dirty": report.dirty,
    }
    write_object(out_dir / "portal.json", meta)
    for path in sorted(out_dir.glob("*.json")):
        report.sizes[path.name] = path.stat().st_size
    report.elapsed_seconds = time.perf_counter() - started
    return report
