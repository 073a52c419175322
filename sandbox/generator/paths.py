"""Stage paths: the sequence of stages a deal or lead went through, and when.

A path is built from the record's planned outcome (open / won / lost, decided by the skeleton)
and a scenario. Most records move forward one stage at a time, sometimes skipping a stage; a
minority follow the irregular scenarios analytics must cope with (reopened, won then lost, lost
then won, moved back, moved to another pipeline, created in a later or in a final stage). Rendering
task 0 forces a few of each scenario so even the tiny portal contains every kind of transition.
"""

from __future__ import annotations

import random

from .clock import DAY, work_time_after
from .skeleton import LOST, WON

NORMAL = "normal"
SKIP = "skip"
FIRST_TO_WON = "first_to_won"
BACK = "back"
REOPEN_LOST = "reopen_lost"  # F -> P
REOPEN_WON = "reopen_won"  # S -> P
WON_TO_LOST = "won_to_lost"  # S -> F
LOST_TO_WON = "lost_to_won"  # F -> S
PIPELINE = "pipeline_change"
LATE_CREATE = "created_later_stage"
FINAL_CREATE = "created_final_stage"

SCENARIO_WEIGHTS = {
    BACK: 0.05, REOPEN_LOST: 0.025, REOPEN_WON: 0.012, WON_TO_LOST: 0.015, LOST_TO_WON: 0.02,
    FIRST_TO_WON: 0.04, PIPELINE: 0.03, LATE_CREATE: 0.05, SKIP: 0.06,
}
FORCED_MINIMUM = 3  # occurrences of each scenario forced into rendering task 0
MAX_ROWS = 31  # history packing keeps 5 bits for a row's position within its owner


def valid_scenarios(outcome: int, pipelines: bool) -> tuple[str, ...]:
    """Scenarios that can end in `outcome`."""
    out = [SKIP, BACK, REOPEN_LOST, REOPEN_WON, LATE_CREATE]
    if outcome == WON:
        out += [FIRST_TO_WON, LOST_TO_WON]
    if outcome == LOST:
        out.append(WON_TO_LOST)
    if pipelines:
        out.append(PIPELINE)
    return tuple(out)


class ScenarioPicker:
    """Random scenario choice; in the first task the first records cover every scenario."""

    def __init__(self, r: random.Random, force: bool, pipelines: bool) -> None:
        self.r = r
        self.force = force
        self.pipelines = pipelines
        self.counts: dict[str, int] = {}

    def pick(self, outcome: int) -> str:
        valid = valid_scenarios(outcome, self.pipelines)
        if self.force:
            for s in valid:
                if self.counts.get(s, 0) < FORCED_MINIMUM:
                    self.counts[s] = self.counts.get(s, 0) + 1
                    return s
        x = self.r.random()
        for s in valid:
            x -= SCENARIO_WEIGHTS[s]
            if x < 0:
                return s
        return NORMAL


PING_PONG = 0.2  # chance, per forward move, of stepping back once and forward again


def _advance(seq: list[int], process: tuple[int, ...], a: int, b: int, skip_p: float,
             r: random.Random) -> None:
    """Append process stages after index a up to index b, sometimes jumping over one and
    sometimes stepping back to the previous stage before moving on (managers do both)."""
    i = a
    while i < b:
        i += 2 if (i + 2 <= b and r.random() < skip_p) else 1
        seq.append(process[i])
        if i >= 1 and r.random() < PING_PONG:
            seq.append(process[i - 1])
            seq.append(process[i])


def build_path(process: tuple[int, ...], won: int, lost: tuple[int, ...], outcome: int,
               target: int, scenario: str, r: random.Random,
               other_process: tuple[int, ...] | None = None) -> list[int]:
    """Stage codes in visiting order. `target` is the process index where an open record sits
    or a lost record was lost; `other_process` is the other pipeline (pipeline changes)."""
    n = len(process)
    rnd = r.random
    skip_p = 0.5 if scenario == SKIP else 0.05
    lose = lost[1] if (len(lost) > 1 and rnd() < 0.15) else lost[0]
    seq: list[int] = []
    start = 0
    if scenario == PIPELINE and other_process:
        seq.append(other_process[0])
        if rnd() < 0.4:
            seq.append(other_process[1])
        start = 1 if (rnd() < 0.3 and n > 2) else 0
        seq.append(process[start])
    elif scenario == LATE_CREATE:
        hi = target if outcome != WON else n - 1
        start = 1 + int(rnd() * min(2, max(1, hi)))
        start = min(start, n - 1)
        if outcome != WON and start > target:
            start = max(target, 1) if target >= 1 else 0
        seq.append(process[start])
    else:
        seq.append(process[0])

    if scenario == FIRST_TO_WON and outcome == WON:
        seq.append(won)
        return seq
    if scenario == SKIP:
        # guarantee a forward jump over at least one stage
        end = n - 1 if outcome == WON else target
        if end - start >= 2:
            seq.append(process[start + 2])
            start += 2
    if scenario == REOPEN_LOST:
        x = start + int(rnd() * (n - 1 - start)) if n - 1 > start else start
        _advance(seq, process, start, x, skip_p, r)
        seq.append(lose)
        y = int(rnd() * (x + 1))
        if outcome != WON and target < y:
            y = target
        seq.append(process[y])
        start = y
    elif scenario in (REOPEN_WON, WON_TO_LOST):
        _advance(seq, process, start, n - 1, skip_p, r)
        seq.append(won)
        if scenario == WON_TO_LOST:
            if outcome == LOST:
                seq.append(lose)
                return seq
        else:
            y = n - 1 if rnd() < 0.6 else max(0, n - 2)
            if outcome != WON and target < y:
                y = target
            seq.append(process[y])
            start = y
    elif scenario == LOST_TO_WON and outcome == WON:
        x = start + int(rnd() * (n - 1 - start)) if n - 1 > start else start
        _advance(seq, process, start, x, skip_p, r)
        seq.append(lose)
        seq.append(won)
        return seq

    if outcome == WON:
        last = n - 1 if rnd() < 0.92 else max(start, n - 2)
        _advance(seq, process, start, last, skip_p, r)
        seq.append(won)
    else:
        _advance(seq, process, start, max(start, target), skip_p, r)
        if outcome == LOST:
            seq.append(lose)
            if lose == lost[0] and len(lost) > 1 and rnd() < 0.2:
                seq.append(lost[1])  # F -> F: lost, then analysed
    if scenario == BACK:
        _insert_back_move(seq, process)
    return seq[:MAX_ROWS]


def _insert_back_move(seq: list[int], process: tuple[int, ...]) -> None:
    """Turn ... P_i ... into ... P_i, P_(i-1), P_i ... at the latest possible place."""
    index = {code: i for i, code in enumerate(process)}
    for j in range(len(seq) - 1, -1, -1):
        i = index.get(seq[j], 0)
        if i >= 1:
            if j == len(seq) - 1:
                seq.insert(j, process[i - 1])
                seq.insert(j, seq[j + 1])
            else:
                seq[j + 1:j + 1] = [process[i - 1], seq[j]]
            return


def path_times(n_rows: int, t0: int, t_end: int, r: random.Random) -> list[int]:
    """Non-decreasing times from t0 to t_end; moves land in working hours where possible."""
    if n_rows == 1:
        return [t0]
    span = t_end - t0
    inner = sorted(t0 + int(r.random() * span) for _ in range(n_rows - 2))
    out = [t0]
    prev = t0
    for t in inner:
        t = work_time_after(t, r)
        if t >= t_end:
            t = t_end - 1
        if t < prev:
            t = prev
        out.append(t)
        prev = t
    out.append(max(t_end, prev))
    return out


def open_last_move(t0: int, now: int, r: random.Random) -> int:
    """When an open record was last moved: recently for young records, stale for some old."""
    age = now - t0
    horizon = min(age, int(DAY * (20 + 60 * r.random())))
    t = work_time_after(t0 + int(horizon * r.random() ** 0.6), r)
    return t if t <= now else max(t0, now - int(r.random() * 3600))
