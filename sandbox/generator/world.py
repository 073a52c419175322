"""Everything rendering tasks share: the clock, staff, catalogue, identities and skeleton.

Built once in the main process; worker processes are forked after it exists and read it without
copying. Also fixes the id blocks of child records (activities, calls, product rows, invoices):
each rendering task owns a contiguous block sized from the expected count with a margin, so tasks
can number their records without talking to each other. Between blocks ids jump, as they do on a
real portal after deletions; within a single-task portal (tiny, small) ids are contiguous.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from . import activities, invoices
from .clock import Clock
from .identity import Identity
from .people import Staff, User, build_staff
from .products import Catalog
from .rng import derive_seed, rng_for
from .scales import Scale
from .skeleton import Skeleton, build_skeleton

ROWS_PER_DEAL = 2.0


def _budget(n: int, mean: float) -> int:
    return int(n * mean * 1.35) + 200


@dataclass
class Blocks:
    """First id of every task's block, per child kind."""

    lead_acts: list[int] = field(default_factory=list)
    deal_acts: list[int] = field(default_factory=list)
    lead_calls: list[int] = field(default_factory=list)
    deal_calls: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    invoices: list[int] = field(default_factory=list)
    lead_act_size: list[int] = field(default_factory=list)
    lead_call_size: list[int] = field(default_factory=list)
    deal_call_size: list[int] = field(default_factory=list)
    deal_act_size: list[int] = field(default_factory=list)
    row_size: list[int] = field(default_factory=list)
    invoice_size: list[int] = field(default_factory=list)


@dataclass
class World:
    seed: int
    scale: Scale
    clock: Clock
    staff: Staff
    users: dict[int, User]
    skeleton: Skeleton
    catalog: Catalog
    identity: Identity
    lead_chunks: list[tuple[int, int]]
    deal_chunks: list[tuple[int, int]]
    contact_chunks: list[tuple[int, int]]
    company_chunks: list[tuple[int, int]]
    blocks: Blocks
    call_salt: int

    def rng(self, *labels: object) -> random.Random:
        return rng_for(self.seed, *labels)


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    return [(lo, min(n, lo + size - 1)) for lo in range(1, n + 1, size)]


def build_world(seed: int, scale: Scale, as_of: str) -> World:
    clock = Clock(as_of)
    staff = build_staff(scale.users, clock, rng_for(seed, "staff"))
    skeleton = build_skeleton(scale, clock, staff, rng_for(seed, "skeleton"))
    lead_chunks = _chunks(scale.leads, scale.chunk)
    deal_chunks = _chunks(scale.deals, scale.chunk)
    blocks = Blocks()
    nxt = 1
    for lo, hi in lead_chunks:
        blocks.lead_acts.append(nxt)
        size = _budget(hi - lo + 1, activities.MEAN_PER_LEAD)
        blocks.lead_act_size.append(size)
        nxt += size
    deal_act_mean = max(activities.MEAN_PER_DEAL) + 0.2
    for lo, hi in deal_chunks:
        blocks.deal_acts.append(nxt)
        size = _budget(hi - lo + 1, deal_act_mean)
        blocks.deal_act_size.append(size)
        nxt += size
    # call statistic ids: calls are a share of activities (see activities.py mixes)
    nxt = 1
    for lo, hi in lead_chunks:
        blocks.lead_calls.append(nxt)
        blocks.lead_call_size.append(_budget(hi - lo + 1, activities.MEAN_PER_LEAD * 0.7))
        nxt += blocks.lead_call_size[-1]
    for lo, hi in deal_chunks:
        blocks.deal_calls.append(nxt)
        blocks.deal_call_size.append(_budget(hi - lo + 1, max(activities.MEAN_PER_DEAL) * 0.5))
        nxt += blocks.deal_call_size[-1]
    nxt = 1
    for lo, hi in deal_chunks:
        blocks.rows.append(nxt)
        size = _budget(hi - lo + 1, ROWS_PER_DEAL)
        blocks.row_size.append(size)
        nxt += size
    nxt = 1
    for lo, hi in deal_chunks:
        blocks.invoices.append(nxt)
        size = _budget(hi - lo + 1, invoices.MEAN_PER_DEAL)
        blocks.invoice_size.append(size)
        nxt += size
    return World(
        seed=seed, scale=scale, clock=clock, staff=staff,
        users={u.id: u for u in staff.users}, skeleton=skeleton, catalog=Catalog(),
        identity=Identity(seed, scale.leads, scale.contacts),
        lead_chunks=lead_chunks, deal_chunks=deal_chunks,
        contact_chunks=_chunks(scale.contacts, scale.client_chunk),
        company_chunks=_chunks(scale.companies, scale.client_chunk),
        blocks=blocks, call_salt=derive_seed(seed, "calls") & 0xFFFFFFFF,
    )


def parts_dir(out_dir: Path) -> Path:
    from .writer import PARTS_DIR
    return out_dir / PARTS_DIR
