"""`crm-warehouse run`: every step of the main job, end to end.

Today the job stops at the source: it generates (once) and serves a sandbox portal and reports
what the portal holds through the real API. Extraction, transformation, validation and
publishing join this command as they are built.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import click

from orchestration.cli.progress import Progress

# What the portal holds, read the way any client would: one `batch`, each list's `total`.
SUMMARY_COMMANDS = {
    "leads": "crm.lead.list?select[]=ID",
    "deals": "crm.deal.list?select[]=ID",
    "contacts": "crm.contact.list?select[]=ID",
    "companies": "crm.company.list?select[]=ID",
    "activities": "crm.activity.list?select[]=ID",
    "calls": "voximplant.statistic.get",
    "deal stage history": "crm.stagehistory.list?entityTypeId=2&select[]=ID",
    "lead stage history": "crm.stagehistory.list?entityTypeId=1&select[]=ID",
    "invoices": "crm.item.list?entityTypeId=31&select[]=id",
    "users": "user.get",
    "departments": "department.get",
    "products": "catalog.product.list?select[]=id",
}


def portal_summary(webhook_url: str) -> dict[str, int]:
    request = urllib.request.Request(
        webhook_url + "batch.json",
        data=json.dumps({"halt": 0, "cmd": SUMMARY_COMMANDS}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        body = json.load(response)["result"]
    totals = body["result_total"] or {}
    return {name: int(totals.get(name, 0)) for name in SUMMARY_COMMANDS}


@click.command()
@click.option("--sandbox", "scale", type=click.Choice(["tiny", "small", "medium", "large"]), default="small",
              show_default=True, help="Run against a generated sandbox portal of this size.")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("data"),
              show_default=True, help="Where portals and the warehouse live.")
def run(scale: str, seed: int, data_dir: Path) -> None:
    """Run the main job end to end on the sandbox portal."""
    from sandbox.fixture import PORTAL_META_FILE
    from sandbox.generator import generate_portal
    from sandbox.server.app import SandboxOptions, start_sandbox

    portal_dir = data_dir / "sandbox" / f"{scale}-seed{seed}"
    if not (portal_dir / PORTAL_META_FILE).exists():
        progress = Progress(f"generate {scale} portal")
        report = generate_portal(portal_dir, seed=seed, scale=scale, progress=progress.rows)
        progress.done(f"{sum(report.counts.values()):,} records in {portal_dir}")
    else:
        click.echo(f"portal: {portal_dir} (already generated)")
    options = SandboxOptions(index_path=portal_dir / ".sandbox" / "index.duckdb")
    progress = Progress("sandbox")
    with start_sandbox(portal_dir, options, progress=progress.message) as running:
        click.echo(f"sandbox portal serving at {running.redacted_webhook_url}")
        totals = portal_summary(running.webhook_url)
    click.echo("The portal holds:")
    for name, total in totals.items():
        click.echo(f"  {name:<20} {total:>10,}")
