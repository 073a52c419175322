"""The data steward's site: static HTML under the warehouse's `quality/` folder, built offline.

Why not GE's Data Docs alone: their pages load Bootstrap, jQuery, bootstrap-table, Font Awesome and
Vega from public CDNs (unstyled and partly blank offline) and show no record owners, no "failing
since" and no CRM data-entry figures. This site renders the same validation results (GE's JSON is
kept per run under runs/) with inline CSS only, from the warehouse's `quality` schema."""

from __future__ import annotations

import html
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from expectations.config import GateConfig
from expectations.history import table_exists
from expectations.warehouse_sql import MARTS_SCHEMA, QUALITY_SCHEMA, RAW_SCHEMA

Q = QUALITY_SCHEMA
RUNS_SHOWN = 50
DATA_ENTRY_ROWS = 200  # the worst cells; marts.data_quality_summary has them all
STYLE = """body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:22px}h2{font-size:17px;
margin-top:28px;border-bottom:1px solid #ddd}table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid
#ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}.error{background:#fde2e1}
.warning{background:#fff4d6}.passed{background:#e3f5e1}.muted{color:#777}code{font-size:12px}td.num{text-align:right}"""


def build_report(engine: sa.Engine, site: Path, config: GateConfig, marts_schema: str = MARTS_SCHEMA) -> Path:
    """Rewrites index.html and one page per kept run from the warehouse's quality tables."""
    site.mkdir(parents=True, exist_ok=True)
    with engine.connect() as connection:
        runs = [dict(row) for row in connection.execute(sa.text(
            f"select * from {Q}.gate_runs order by finished_at desc")).mappings()]
        failures = [dict(row) for row in connection.execute(sa.text(
            f"select * from {Q}.gate_failures")).mappings()]
        owners = _owner_names(connection)
        data_entry = _data_entry(connection, marts_schema)
    by_run: dict[str, list[dict]] = defaultdict(list)
    for failure in failures:
        by_run[failure["run_id"]].append(failure)
    since = _failing_since(runs, by_run)
    for run in runs[:RUNS_SHOWN]:
        (site / "runs").mkdir(exist_ok=True)
        (site / "runs" / f"{run['run_id']}.html").write_text(_page(
            f"{run['gate']} gate run {run['run_id']}",
            _run_header(run) + _failures_table(by_run[run["run_id"]], owners, since, run)))
    latest = _latest_per_gate(runs)
    body = ["<p class=muted>Each gate run is kept; the latest run of each gate and portal is shown first. "
            f"Built {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.</p>", "<h2>Latest gate runs</h2>",
            _runs_table(latest)]
    for run in latest:
        body.append(f"<h2>{_e(run['gate'])} gate{(' — ' + _e(run['portal_id'])) if run['portal_id'] else ''}: "
                    f"failed expectations</h2>")
        body.append(_failures_table(by_run[run["run_id"]], owners, since, run))
    body.append("<h2>CRM data-entry quality (rule × owner)</h2>")
    body.append(_data_entry_table(data_entry, owners, config))
    body.append(f"<h2>Run history (last {RUNS_SHOWN})</h2>")
    body.append(_runs_table(runs[:RUNS_SHOWN]))
    index = site / "index.html"
    index.write_text(_page("Warehouse quality report", "".join(body)))
    return index


def _owner_names(connection: sa.Connection) -> dict[tuple[str, str], str]:
    if not table_exists(connection, RAW_SCHEMA, "users"):
        return {}
    rows = connection.execute(sa.text(
        f"select portal_id, cast(id as varchar), trim(coalesce(name, '') || ' ' || coalesce(last_name, '')) "
        f"from {RAW_SCHEMA}.users"))
    return {(portal, user): name for portal, user, name in rows}


def _data_entry(connection: sa.Connection, marts: str) -> list[dict]:
    """The latest day of data_quality_summary, with the change since the previous snapshot."""
    if not table_exists(connection, marts, "data_quality_summary"):
        return []
    return [dict(row) for row in connection.execute(sa.text(f"""
        select summary.* from {marts}.data_quality_summary as summary
        where summary.snapshot_date = (select max(snapshot_date) from {marts}.data_quality_summary)
        order by summary.failing_share_pct desc, summary.failing_count desc""")).mappings()]


def _failing_since(runs: list[dict], by_run: dict[str, list[dict]]) -> dict[tuple, datetime]:
    """For each failing expectation, the start of its current unbroken streak of failing runs."""
    streak_start: dict[tuple, datetime] = {}
    ordered = sorted(runs, key=lambda run: run["finished_at"])
    for run in ordered:
        failing = {_key(failure, run) for failure in by_run[run["run_id"]]}
        scope = (run["gate"], run["portal_id"])
        for key in list(streak_start):
            if key[:2] == scope and key not in failing:
                del streak_start[key]
        for key in failing:
            streak_start.setdefault(key, run["started_at"])
    return streak_start


def _key(failure: dict, run: dict) -> tuple:
    return (run["gate"], run["portal_id"], failure["portal_id"], failure["table_name"], failure["column_name"] or "",
            failure["expectation"])


def _latest_per_gate(runs: list[dict]) -> list[dict]:
    seen, latest = set(), []
    for run in runs:
        if (run["gate"], run["portal_id"]) not in seen:
            seen.add((run["gate"], run["portal_id"]))
            latest.append(run)
    return sorted(latest, key=lambda run: (run["gate"] != "raw", run["portal_id"]))


def _runs_table(runs: list[dict]) -> str:
    rows = "".join(
        f"<tr class={'passed' if run['success'] else 'error'}><td><a href='runs/{_e(run['run_id'])}.html'>"
        f"{_e(run['run_id'])}</a></td><td>{_e(run['gate'])}</td><td>{_e(run['portal_id'] or 'all portals')}</td>"
        f"<td>{_time(run['finished_at'])}</td><td>{'passed' if run['success'] else 'FAILED'}</td>"
        f"<td class=num>{run['errors']}</td><td class=num>{run['warnings']}</td></tr>" for run in runs)
    return ("<table><tr><th>run</th><th>gate</th><th>portal</th><th>finished (UTC)</th><th>result</th>"
            f"<th>errors</th><th>warnings</th></tr>{rows}</table>" if runs else "<p>No gate has run yet.</p>")


def _failures_table(failures: list[dict], owners: dict, since: dict, run: dict) -> str:
    if not failures:
        return "<p class=passed>Every expectation passed.</p>"
    ordered = sorted(failures, key=lambda failure: (failure["severity"] != "error", -(failure["unexpected_count"] or 0)))
    rows = []
    for failure in ordered:
        portal = failure["portal_id"] or run["portal_id"]
        records = [record for record in (failure["sample_record_ids"] or "").split(",") if record]
        owner_ids = [owner for owner in (failure["sample_owner_ids"] or "").split(",") if owner]
        owner_cells = ", ".join(f"{_e(owners.get((portal, owner), '?'))} ({_e(owner)})" for owner in owner_ids)
        started = since.get(_key(failure, run))
        rows.append(
            f"<tr class={_e(failure['severity'])}><td>{_e(failure['severity'])}</td><td>{_e(portal)}</td>"
            f"<td>{_e(failure['check_name'])}</td><td><code>{_e(failure['table_name'])}"
            f"{'.' + _e(failure['column_name']) if failure['column_name'] else ''}</code></td>"
            f"<td>{_e(failure['expectation'])}</td><td>{_e(failure['observed'])}</td>"
            f"<td class=records>{'<br>'.join('<code>' + _e(record) + '</code>' for record in records)}</td>"
            f"<td>{owner_cells}</td><td>{_time(started) if started else ''}</td></tr>")
    return ("<table><tr><th>severity</th><th>portal</th><th>check</th><th>where</th><th>expected</th><th>found</th>"
            "<th>sample records</th><th>their owners</th><th>failing since</th></tr>" + "".join(rows) + "</table>")


def _data_entry_table(rows: list[dict], owners: dict, config: GateConfig) -> str:
    if not rows:
        return "<p class=muted>No data_quality_summary yet: it appears after the first dbt build.</p>"
    threshold = float(config.setting("data_entry").get("failing_share_pct_threshold", 20))
    body = []
    for row in rows[:DATA_ENTRY_ROWS]:
        share = float(row["failing_share_pct"] or 0)
        change = row["failing_count_change"]
        owner = owners.get((row["portal_id"], str(row["assigned_user_id"])), "unassigned"
                           if row["assigned_user_id"] in (None, 0) else "?")
        body.append(
            f"<tr class={'warning' if share > threshold else ''}><td>{_e(row['portal_id'])}</td>"
            f"<td>{_e(row['entity_type'])}</td><td>{_e(row['rule_name'])}</td>"
            f"<td>{_e(owner)} ({_e(row['assigned_user_id'])})</td><td class=num>{row['failing_count']:,}</td>"
            f"<td class=num>{row['records_count']:,}</td><td class=num>{share:.1f}%</td>"
            f"<td class=num>{'' if change is None else f'{change:+,}'}</td></tr>")
    return (f"<p>Snapshot {rows[0]['snapshot_date']}; rows above the {threshold:g}% threshold are marked "
            f"(gates.yml: data_entry.failing_share_pct_threshold); the {min(len(rows), DATA_ENTRY_ROWS)} worst of "
            f"{len(rows):,} cells. All of them: marts.data_quality_summary; each record: marts.data_quality_records.</p>"
            "<table><tr><th>portal</th><th>entity</th><th>rule</th><th>owner</th><th>failing</th><th>records</th>"
            "<th>failing share</th><th>change since previous day</th></tr>" + "".join(body) + "</table>")


def _run_header(run: dict) -> str:
    return (f"<p><a href='../index.html'>← report</a></p><p>{_e(run['gate'])} gate, "
            f"{_e(run['portal_id'] or 'all portals')}, finished {_time(run['finished_at'])} UTC: "
            f"{'passed' if run['success'] else 'FAILED'} ({run['errors']} errors, {run['warnings']} warnings). "
            f"GE's validation results: <code>runs/{_e(run['run_id'])}/</code></p>")


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset=utf-8><title>{_e(title)}</title><style>{STYLE}</style>"
            f"</head><body><h1>{_e(title)}</h1>{body}</body></html>")


def _time(value) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _e(value) -> str:
    return html.escape("" if value is None else str(value))
