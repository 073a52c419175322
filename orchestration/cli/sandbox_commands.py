"""`crm-warehouse sandbox ...`: generate, serve and snapshot a local Bitrix24-compatible portal."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click

from orchestration.cli.progress import Progress

DEFAULT_PORT = 8780


@click.group()
def sandbox() -> None:
    """The local Bitrix24-compatible sandbox portal."""


@sandbox.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory to write the portal fixture files into.")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed; same seed, same portal.")
@click.option("--scale", type=click.Choice(["tiny", "small", "medium", "large"]), default="small",
              show_default=True, help="large = 1,000,000 deals, 5,000,000 stage-history rows.")
def generate(out_dir: Path, seed: int, scale: str) -> None:
    """Generate a realistic portal (furniture store + real-estate developer) as JSON fixtures."""
    from sandbox.generator import generate_portal

    progress = Progress(f"generate {scale}")
    report = generate_portal(out_dir, seed=seed, scale=scale, progress=progress.rows)
    progress.done(f"wrote {sum(report.counts.values()):,} records to {out_dir}")
    for name, count in sorted(report.counts.items()):
        click.echo(f"  {name:<40} {count:>12,}")


@sandbox.command()
@click.option("--portal", "portal_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              required=True, help="Portal directory (generated or hand-written fixture files).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True, help="0 picks a free port.")
@click.option("--token", envvar="SANDBOX_WEBHOOK_TOKEN", default=None,
              help="Webhook token [env SANDBOX_WEBHOOK_TOKEN]; random when not given.")
@click.option("--user-id", type=int, default=1, show_default=True, help="User id in the webhook URL.")
@click.option("--limits", type=click.Choice(["off", "cloud"]), default="off", show_default=True,
              help="cloud: burst 50, 2 requests/s (503 QUERY_LIMIT_EXCEEDED) and the operating-time limit "
                   "(480 s per 10 min per method, 429 OPERATION_TIME_LIMIT) with the server cost model.")
@click.option("--no-operating", is_flag=True, help="With --limits cloud: only the request-rate limit.")
@click.option("--time-scale", type=float, default=1.0, show_default=True,
              help="Simulated seconds per real second for the operating-time window (60 = 10 min in 10 s).")
@click.option("--faults", default=None, metavar="SPEC",
              help="e.g. 'error500=0.02,drop=0.01,truncate=0.01,storm=0.05,latency=0.1:250'.")
@click.option("--fault-seed", type=int, default=0, show_default=True)
@click.option("--tls", is_flag=True, help="Serve HTTPS with a local CA (for b24pysdk): trust it with REQUESTS_CA_BUNDLE.")
@click.option("--tls-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the local CA lives [default: <portal>/.sandbox/tls].")
@click.option("--index", type=click.Choice(["disk", "memory"]), default="disk", show_default=True,
              help="disk keeps the query index in <portal>/.sandbox/ and reuses it on the next start.")
@click.option("--live-every", type=int, default=None, metavar="N",
              help="Live mode: the portal changes after every N API requests.")
@click.option("--live-seed", type=int, default=0, show_default=True)
def serve(portal_dir: Path, host: str, port: int, token: str | None, user_id: int, limits: str,
          no_operating: bool, time_scale: float, faults: str | None, fault_seed: int, tls: bool,
          tls_dir: Path | None, index: str, live_every: int | None, live_seed: int) -> None:
    """Serve a portal directory over the Bitrix24 REST API until interrupted."""
    from sandbox.live import LiveConfig
    from sandbox.server.app import SandboxOptions, start_sandbox
    from sandbox.server.faults import FaultConfig
    from sandbox.server.limits import LimitConfig

    try:
        fault_config = FaultConfig.parse(faults, seed=fault_seed)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--faults") from None
    state_dir = portal_dir / ".sandbox"
    options = SandboxOptions(
        host=host, port=port, user_id=user_id,
        limits=LimitConfig.cloud(time_scale=time_scale, operating=not no_operating) if limits == "cloud" else LimitConfig.off(),
        faults=fault_config,
        tls_dir=(tls_dir or state_dir / "tls") if tls else None,
        index_path=state_dir / "index.duckdb" if index == "disk" else None,
        live=LiveConfig(seed=live_seed, every_requests=live_every) if live_every else None,
    )
    if token:
        options.token = token
    progress = Progress("sandbox")
    running = start_sandbox(portal_dir, options, progress=progress.message)
    click.echo(f"Bitrix24 sandbox portal: {portal_dir}")
    click.echo(f"Webhook URL: {running.webhook_url}")
    if running.ca_path:
        click.echo(f"CA certificate: {running.ca_path}  (export REQUESTS_CA_BUNDLE={running.ca_path})")
    click.echo(f"Limits: {limits}; faults: {faults or 'off'}; live mode: "
               f"{'every ' + str(live_every) + ' requests' if live_every else 'off'}. Ctrl+C stops.")
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
        click.echo("sandbox stopped")


@sandbox.command()
@click.option("--portal", "portal_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--live-steps", type=int, default=0, show_default=True, help="Live-mode steps to apply first.")
@click.option("--live-seed", type=int, default=0, show_default=True)
def snapshot(portal_dir: Path, out_dir: Path, live_steps: int, live_seed: int) -> None:
    """Write a portal's state after N live-mode steps: the known truth for incremental tests."""
    from sandbox.live import LiveConfig, LivePortal
    from sandbox.store.portal import PortalStore

    store = PortalStore(portal_dir)
    try:
        if live_steps:
            summary = LivePortal(store, LiveConfig(seed=live_seed)).advance(live_steps)
            click.echo(", ".join(f"{key} {value}" for key, value in summary.items()))
        store.dump(out_dir)
    finally:
        store.close()
    click.echo(f"wrote {out_dir}")
