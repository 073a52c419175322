"""Reading a list method as fast as the portal allows: 50 keyset pages chained in one `batch`.

Offset paging makes the portal count the matching rows on every call (about 50 s on 2.4 million
leads, reference §2) and then walk past every skipped row; its documented fast path is keyset
paging: order by ID, filter `>ID` = the last ID seen, `start=-1` (no count). One `batch` carries
50 such pages, each command taking its `>ID` from the previous command's last row
(`$result[p07][49][ID]`), so one request returns up to 2,500 rows in ID order.

`BatchKeysetPaginator` is a dlt paginator: dlt's `RESTClient.paginate` drives the requests; the
paginator writes each next batch and cuts a page list at the first short page (commands after it
ran on an unresolved reference and are discarded).
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Iterator

from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests import Request, Response

from pipelines.bitrix24.php_query import command
from pipelines.bitrix24.transport import Bitrix24Error, Bitrix24Transport

PAGE_SIZE = 50
BATCH_COMMANDS = 50
# Sub-call errors that mean "slow down", not "stop": the chain resumes after the last good page.
_RETRYABLE = {"QUERY_LIMIT_EXCEEDED", "OPERATION_TIME_LIMIT", "INTERNAL_SERVER_ERROR"}


@dataclass(frozen=True)
class ListQuery:
    """A list method read in ID order. `key` is the record key as the method names it."""

    method: str
    key: str = "ID"
    wrapper: str | None = None  # "items" for crm.item.list / crm.stagehistory.list
    params: dict[str, Any] = field(default_factory=dict)  # select, entityTypeId, ...
    filter: dict[str, Any] = field(default_factory=dict)
    filter_param: str = "filter"  # voximplant.statistic.get wants FILTER; "" = top-level (department.get)
    order_style: str = "order"  # "order" -> order[KEY]=ASC; "sort" -> SORT=KEY&ORDER=ASC

    def page_params(self, after: Any) -> dict[str, Any]:
        params = dict(self.params)
        conditions = {**self.filter, f">{self.key}": after}
        if self.filter_param:
            params[self.filter_param] = conditions
        else:  # department.get: filters are top-level parameters
            params.update(conditions)
        if self.order_style == "sort":
            params["SORT"], params["ORDER"] = self.key, "ASC"
        else:
            params["order"] = {self.key: "ASC"}
        params["start"] = -1
        return params

    def reference(self, command_key: str) -> str:
        inner = f"[{self.wrapper}]" if self.wrapper else ""
        return f"$result[{command_key}]{inner}[{PAGE_SIZE - 1}][{self.key}]"


class BatchKeysetPaginator(BasePaginator):
    def __init__(self, query: ListQuery, transport: Bitrix24Transport, after: int = 0,
                 commands: int = BATCH_COMMANDS) -> None:
        super().__init__()
        self.query = query
        self.transport = transport
        self.after = after
        self.commands = commands
        self.requests = 0

    def _body(self) -> dict[str, Any]:
        cmd = {}
        for index in range(self.commands):
            key = f"p{index:02d}"
            after = self.after if index == 0 else self.query.reference(f"p{index - 1:02d}")
            cmd[key] = command(self.query.method, self.query.page_params(after))
        return {"halt": 1, "cmd": cmd}

    def init_request(self, request: Request) -> None:
        self.transport.operating.wait_for(self.query.method)
        request.json = self._body()

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        self.requests += 1
        body = self.transport.checked_body("batch", response)["result"]
        results, errors = body.get("result") or {}, body.get("result_error") or {}
        for timing in (body.get("result_time") or {}).values():
            self.transport.operating.report(self.query.method, timing.get("operating"),
                                            timing.get("operating_reset_at"))
        pages = _ordered(results)
        rows: list[Any] = []
        finished = False
        for page in pages:
            page_rows = page.get(self.query.wrapper, []) if self.query.wrapper else page
            rows.extend(page_rows)
            if len(page_rows) < PAGE_SIZE:
                finished = True
                break
        if errors and not finished:
            first = next(iter(errors.values())) if isinstance(errors, dict) else errors[0]
            if first.get("error") not in _RETRYABLE:
                raise Bitrix24Error(self.query.method, first.get("error"), first.get("error_description", ""))
        if data is not None:
            data[:] = rows  # the page dlt yields: only rows read through resolved references
        if rows:
            self.after = rows[-1][self.query.key]
        self._has_next_page = not finished

    def update_request(self, request: Request) -> None:
        if self._has_next_page:
            self.transport.operating.wait_for(self.query.method)
            request.json = self._body()


def _ordered(results: Any) -> list[Any]:
    if isinstance(results, list):
        return results
    return [results[key] for key in sorted(results)]


def read_keyset(transport: Bitrix24Transport, query: ListQuery, after: int = 0,
                prefetch: int = 2) -> Iterator[list[dict[str, Any]]]:
    """Pages of rows (up to 2,500 each) in ID order, after `after`.

    A background thread keeps fetching up to `prefetch` batches ahead while the caller types and
    loads the current one, so one table's chain keeps the request budget busy on its own.
    """
    if prefetch <= 0:
        yield from _read_pages(transport, query, after)
        return
    pages: queue.Queue = queue.Queue(maxsize=prefetch)
    stop = threading.Event()

    def produce() -> None:
        try:
            for page in _read_pages(transport, query, after):
                while not stop.is_set():
                    try:
                        pages.put(("page", page), timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            pages.put(("done", None))
        except BaseException as error:  # handed to the consumer, raised there
            pages.put(("error", error))

    worker = threading.Thread(target=produce, name=f"keyset-{query.method}", daemon=True)
    worker.start()
    try:
        while True:
            kind, item = pages.get()
            if kind == "page":
                yield item
            elif kind == "error":
                raise item
            else:
                return
    finally:
        stop.set()


def _read_pages(transport: Bitrix24Transport, query: ListQuery, after: int) -> Iterator[list[dict[str, Any]]]:
    paginator = BatchKeysetPaginator(query, transport, after=after)
    selector = f"result.result.*.{query.wrapper}[*]" if query.wrapper else "result.result.*[*]"
    client = transport.rest_client()
    for page in client.paginate("batch", method="POST", json={}, paginator=paginator, data_selector=selector):
        if page:
            yield list(page)
