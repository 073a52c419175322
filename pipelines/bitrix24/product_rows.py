"""Reading the product rows of many deals at the API's limit: `crm.item.productrow.list` in bulk.

`crm.deal.productrows.get` answers one deal per call (50 deals, ~110 rows, a request). The
bulk method takes `=ownerId` as an array (reference §5.8), so one command lists the rows of a
chunk of deals, 50 a page, keyset-paged by `>id` with `start=-1`. A request carries 50 commands:
the chained pages of several chunks side by side (`s00p00`, `s00p01`... `s01p00`...), each chunk
given about as many pages as its deals are expected to fill (the running mean of rows per deal),
so a request returns close to 2,500 rows however many rows the deals have. A chunk whose last
page came back full continues in a later request from its last `id`; when every page of a chunk
is in, the deals of the chunk without rows are reported, so their old rows can be removed.

A chunk holds at most `MAX_OWNER_IDS` deals: each id is one PHP input variable of the command
(`filter[=ownerId][i]`), PHP stops parsing past `max_input_vars` (1,000 by default) and a
silently truncated list would look like deals without rows. The value is chosen by measurement
(`bench/bench_extract.py chunks`, docs/benchmarks.md).

If the portal refuses the bulk method (an older portal, a webhook without the right, a filter
it does not honour), the first request says so and the caller falls back to
`crm.deal.productrows.get`, one deal per call, and logs why.
"""

from __future__ import annotations

import collections
import math
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from pipelines.bitrix24.keyset import PAGE_SIZE
from pipelines.bitrix24.php_query import command
from pipelines.bitrix24.transport import Bitrix24Error, Bitrix24Transport

BULK_METHOD = "crm.item.productrow.list"
PER_DEAL_METHOD = "crm.deal.productrows.get"
BATCH_COMMANDS = 50
MAX_OWNER_IDS = 250  # deals per `=ownerId` array (see the module docstring and docs/benchmarks.md)
ROWS_PER_DEAL_GUESS = 3.0  # before the first chunk is complete
# Requests under way at once. A portal spends ~0.05-0.1 s on each of a batch's 50 commands, so one
# request takes seconds: it takes several in flight to use the 2 requests/s (the pacer caps them).
IN_FLIGHT = 6
# The bulk method is not available or does not take our filter: read deal by deal instead.
REFUSALS = {"ERROR_METHOD_NOT_FOUND", "ACCESS_DENIED", "REQUIRED_ARG_MISSING", "INVALID_ARG_VALUE",
            "insufficient_scope", "NOT_FOUND", "ENTITY_TYPE_NOT_SUPPORTED", "ERROR_ARGUMENT"}
# Sub-call errors that mean "slow down": the chunk resumes after its last good page.
_RETRYABLE = {"QUERY_LIMIT_EXCEEDED", "OPERATION_TIME_LIMIT", "INTERNAL_SERVER_ERROR"}
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


class BulkRefused(Exception):
    """The portal does not serve product rows in bulk; nothing has been read yet."""


def legacy_name(camel: str) -> str:
    """`priceAccount` -> `PRICE_ACCOUNT`: the bulk method's fields onto the raw table's columns."""
    return _CAMEL.sub(r"_\1", camel).upper()


def as_legacy_row(row: dict[str, Any]) -> dict[str, Any]:
    return {legacy_name(key): value for key, value in row.items()}


class ChangedDeals:
    """Deal IDs the `deals` resource reads in this run, handed to the product-row reader as they
    arrive, so product rows are read alongside the deals instead of after them."""

    def __init__(self) -> None:
        self._ids: list[int] = []
        self._taken = 0
        self._closed = False
        self._ready = threading.Condition()

    def add(self, ids: list[int]) -> None:
        with self._ready:
            self._ids.extend(int(deal_id) for deal_id in ids)
            self._ready.notify_all()

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._ready.notify_all()

    def take(self, count: int, block: bool = True) -> list[int] | None:
        """`count` IDs (fewer only once the deals are all read); waits for them if `block`.
        [] = not enough yet (when not blocking); None = every ID was taken."""
        with self._ready:
            if block:
                self._ready.wait_for(lambda: self._closed or len(self._ids) - self._taken >= count)
            available = len(self._ids) - self._taken
            if available == 0:
                return None if self._closed else []
            if available < count and not self._closed:
                return []  # a short chunk only at the end: chunks stay full while deals stream in
            chunk = self._ids[self._taken:self._taken + count]
            self._taken += len(chunk)
            return chunk


@dataclass(eq=False)
class _Chunk:
    deal_ids: list[int]
    owners: set[int] = field(default_factory=set)  # deals that had rows
    rows: int = 0


@dataclass(eq=False)
class _Segment:
    chunk: _Chunk
    after: int
    commands: int


@dataclass
class ChunkRows:
    """Rows of one answered segment (bulk field names) and, once a chunk is complete, its deals
    that have no product rows."""

    rows: list[dict[str, Any]]
    deals_without_rows: list[int]


class BulkProductRowReader:
    """Schedules chunks of deals onto batches of 50 chained keyset commands."""

    def __init__(self, transport: Bitrix24Transport, deals: ChangedDeals, max_owner_ids: int = MAX_OWNER_IDS,
                 on_request: Callable[[], None] = lambda: None) -> None:
        self.transport = transport
        self.deals = deals
        self.max_owner_ids = max_owner_ids
        self.on_request = on_request
        self.requests = 0
        self.probe: list[int] = []  # deals of the first request: read deal by deal if the portal refuses
        self._queue: collections.deque[_Segment] = collections.deque()
        self._rows_seen = 0
        self._deals_done = 0
        self._answered = False  # once a request has succeeded, a refusal is an error, not a fallback

    # -- planning --------------------------------------------------------------------------------

    def _rows_per_deal(self) -> float:
        return self._rows_seen / self._deals_done if self._deals_done else ROWS_PER_DEAL_GUESS

    def _pages_for(self, deals: int) -> int:
        return max(1, math.ceil(deals * self._rows_per_deal() / PAGE_SIZE))

    def _next_batch(self, block: bool) -> list[_Segment]:
        """Segments filling up to 50 commands: continuations first, then new chunks."""
        segments: list[_Segment] = []
        free = BATCH_COMMANDS
        while free > 0:
            if not self._queue:
                ids = self.deals.take(self.max_owner_ids, block=block and not segments)
                if not ids:
                    break
                if not self._answered:
                    self.probe.extend(ids)
                chunk = _Chunk(ids)
                self._queue.append(_Segment(chunk, 0, self._pages_for(len(ids))))
            segment = self._queue.popleft()
            if segment.commands > free:  # the chunk goes on from its last row in a later request
                segment = _Segment(segment.chunk, segment.after, free)
            segments.append(segment)
            free -= segment.commands
        return segments

    def _body(self, segments: list[_Segment]) -> dict[str, Any]:
        cmd = {}
        for s, segment in enumerate(segments):
            for p in range(segment.commands):
                after: Any = segment.after if p == 0 else f"$result[s{s:02d}p{p - 1:02d}][productRows][{PAGE_SIZE - 1}][id]"
                cmd[f"s{s:02d}p{p:02d}"] = command(BULK_METHOD, {
                    "filter": {"=ownerType": "D", "=ownerId": segment.chunk.deal_ids, ">id": after},
                    "order": {"id": "ASC"}, "start": -1})
        # No halt: each chunk's chain ends at its short page and the commands after it fail on
        # an unresolved reference; the other chunks' chains must still run.
        return {"halt": 0, "cmd": cmd}

    # -- one request -----------------------------------------------------------------------------

    def _send(self, segments: list[_Segment]) -> dict[str, Any]:
        self.transport.operating.wait_for(BULK_METHOD)
        body = self.transport.call("batch", self._body(segments))["result"]
        timings = body.get("result_time") or {}
        for timing in (timings.values() if isinstance(timings, dict) else timings):
            self.transport.operating.report(BULK_METHOD, timing.get("operating"), timing.get("operating_reset_at"))
        return body

    def _answer(self, segments: list[_Segment], body: dict[str, Any]) -> Iterator[ChunkRows]:
        results = body.get("result") or {}
        errors = body.get("result_error") or {}
        results = results if isinstance(results, dict) else {}
        errors = errors if isinstance(errors, dict) else {}
        for s, segment in enumerate(segments):
            chunk, after, finished, rows = segment.chunk, segment.after, False, []
            wanted = set(chunk.deal_ids)
            for p in range(segment.commands):
                key = f"s{s:02d}p{p:02d}"
                if key not in results:
                    error = errors.get(key) or {"error": "INVALID_RESPONSE", "error_description": f"no answer for {key}"}
                    code, description = error.get("error"), error.get("error_description", "")
                    if code in _RETRYABLE:
                        break  # resumes after the last good page
                    if code in REFUSALS and not self._answered:
                        raise BulkRefused(f"{code}: {description}")
                    raise Bitrix24Error(BULK_METHOD, code, description)
                page = (results[key] or {}).get("productRows") or []
                foreign = [row.get("ownerId") for row in page if int(row.get("ownerId") or 0) not in wanted]
                if foreign:  # the portal did not apply the `=ownerId` array
                    if not self._answered:
                        raise BulkRefused(f"rows of deals not asked for (ownerId {foreign[0]}): the filter was not applied")
                    raise Bitrix24Error(BULK_METHOD, "UNEXPECTED_ROWS",
                                        f"rows of deals not asked for (ownerId {foreign[0]}); the portal ignored =ownerId")
                rows.extend(page)
                if page:
                    after = int(page[-1]["id"])
                if len(page) < PAGE_SIZE:
                    finished = True
                    break
            self._answered = True
            chunk.rows += len(rows)
            chunk.owners.update(int(row["ownerId"]) for row in rows)
            without: list[int] = []
            if finished:
                self._rows_seen += chunk.rows
                self._deals_done += len(chunk.deal_ids)
                without = [deal_id for deal_id in chunk.deal_ids if deal_id not in chunk.owners]
            else:  # full last page (or a retryable error): the chunk goes on in a later request
                expected = len(chunk.deal_ids) * self._rows_per_deal() - chunk.rows
                self._queue.appendleft(_Segment(chunk, after, max(1, math.ceil(expected / PAGE_SIZE))))
            yield ChunkRows(rows, without)

    # -- the loop ----------------------------------------------------------------------------------

    def read(self) -> Iterator[ChunkRows]:
        """Rows as requests are answered, `IN_FLIGHT` requests under way at once."""
        in_flight: collections.deque[tuple[list[_Segment], Future]] = collections.deque()
        with ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="product-rows") as pool:
            try:
                while True:
                    while len(in_flight) < (IN_FLIGHT if self._answered else 1):
                        segments = self._next_batch(block=not in_flight)
                        if not segments:
                            break
                        in_flight.append((segments, pool.submit(self._send, segments)))
                    if not in_flight:
                        return
                    segments, future = in_flight.popleft()
                    body = future.result()
                    self.requests += 1
                    self.on_request()
                    yield from self._answer(segments, body)
            finally:
                for _, future in in_flight:
                    future.cancel()


def read_per_deal(transport: Bitrix24Transport, deal_ids: Iterator[list[int]],
                  on_request: Callable[[], None] = lambda: None) -> Iterator[ChunkRows]:
    """The fallback: `crm.deal.productrows.get`, one deal per command, 50 deals a request."""
    for chunk in deal_ids:
        for start in range(0, len(chunk), BATCH_COMMANDS):
            part = chunk[start:start + BATCH_COMMANDS]
            body = transport.call("batch", {"halt": 0, "cmd": {
                f"d{deal_id}": command(PER_DEAL_METHOD, {"id": deal_id}) for deal_id in part}})["result"]
            on_request()
            answers, errors = body.get("result") or {}, body.get("result_error") or {}
            rows: list[dict[str, Any]] = []
            without = []
            for deal_id in part:
                key = f"d{deal_id}"
                if isinstance(errors, dict) and key in errors:
                    error = errors[key]
                    raise Bitrix24Error(PER_DEAL_METHOD, error.get("error"),
                                        f"deal {deal_id}: {error.get('error_description', '')}")
                deal_rows = (answers.get(key) if isinstance(answers, dict) else None) or []
                rows.extend(deal_rows)
                if not deal_rows:
                    without.append(deal_id)
            yield ChunkRows(rows, without)


def remaining_chunks(first: list[int], deals: ChangedDeals, size: int) -> Iterator[list[int]]:
    if first:
        yield first
    while True:
        ids = deals.take(size)
        if ids is None:
            return
        if ids:
            yield ids
