"""The steward's report: written by every gate run, lists the failing record ids and their owners,
keeps each run, holds no secret, and the gates make no connection beyond this machine."""

from __future__ import annotations

import socket
from html.parser import HTMLParser

from expectations.gates import run_gate
from tests.conftest import TOKEN
from tests.quality.conftest import PORTAL_NOW


class Cells(HTMLParser):
    """Each table row's cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def rows_of(path) -> list[list[str]]:
    parser = Cells()
    parser.feed(path.read_text())
    return parser.rows


def test_the_report_lists_failing_records_with_their_owners_and_keeps_each_run(warehouse_copy):
    warehouse, change = warehouse_copy
    first = run_gate(warehouse, "raw", now=PORTAL_NOW)
    change("update raw_bitrix24.deals set opportunity = -1 where id in (1, 4)")
    second = run_gate(warehouse, "raw", now=PORTAL_NOW)
    report = second.report_path
    assert report.exists() and report == warehouse.duckdb_path.parent / "quality" / "index.html"
    failing = [row for row in rows_of(report) if row[:1] == ["error"] and row[3] == "deals.opportunity"]
    assert len(failing) == 1
    severity, portal, check, where, expected, found, records, owners, since = failing[0]
    assert (portal, check, expected, found) == ("127.0.0.1", "amounts", "not negative", "2 of 6 rows (33.33%)")
    assert sorted(records.split()) == ["1", "4"]
    assert owners == "Maria Sokolova (2), Anna Orlova (4)" or owners == "Anna Orlova (4), Maria Sokolova (2)"
    # each run kept: both in the history, each with its own page and GE's validation results
    history = [row[0] for row in rows_of(report) if len(row) == 7 and row[1] == "raw"]
    assert set(first.run_ids + second.run_ids) <= set(history)
    for run_id in first.run_ids + second.run_ids:
        assert (report.parent / "runs" / f"{run_id}.html").exists()
        assert any((report.parent / "runs" / run_id).glob("*.json"))


def test_failing_since_is_the_first_run_of_the_unbroken_streak(warehouse_copy):
    warehouse, change = warehouse_copy
    change("update raw_bitrix24.deals set opportunity = -1 where id = 1")
    first = run_gate(warehouse, "raw", now=PORTAL_NOW)
    run_gate(warehouse, "raw", now=PORTAL_NOW)
    rows = [row for row in rows_of(first.report_path) if row[:1] == ["error"] and row[3] == "deals.opportunity"]
    started = first.run_ids[0]
    # the run id starts with the run's start time; "failing since" shows the first run's start
    assert rows and rows[0][-1].replace("-", "").replace(":", "").replace(" ", "T")[:15] == started[:15]


def test_no_secret_in_the_report_and_no_connection_beyond_this_machine(warehouse_copy, monkeypatch):
    warehouse, change = warehouse_copy
    change("update raw_bitrix24.deals set opportunity = -1 where id = 1")
    outside: list[object] = []
    connect = socket.socket.connect

    def loopback_only(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
            outside.append(address)
            raise OSError(f"blocked in tests: {address}")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    result = run_gate(warehouse, "raw", now=PORTAL_NOW)
    run_gate(warehouse, "marts")
    assert outside == []
    assert not result.success
    site = result.report_path.parent
    for path in site.rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(errors="replace"), path
