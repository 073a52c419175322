"""Assembles a running sandbox portal: store + API + HTTP(S) server (+ live mode).

`start_sandbox` is what the CLI (`crm-warehouse sandbox serve`), the demo job and the tests use.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sandbox.live import ChangePlan, LiveConfig, LivePortal
from sandbox.server.api import SandboxApi, ServerConfig
from sandbox.server.faults import FaultConfig
from sandbox.server.http_server import SandboxHttpServer
from sandbox.server.limits import LimitConfig
from sandbox.server.methods.listing import CostModel
from sandbox.server.tls import server_tls
from sandbox.store.portal import PortalStore


@dataclass
class SandboxOptions:
    host: str = "127.0.0.1"
    port: int = 0  # 0 = any free port
    user_id: int = 1
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    limits: LimitConfig = field(default_factory=LimitConfig.off)
    faults: FaultConfig = field(default_factory=FaultConfig)
    cost_model: CostModel = field(default_factory=CostModel)
    tls_dir: Path | None = None  # serve HTTPS with a local CA kept here
    index_path: Path | None = None  # None = index in memory
    live: LiveConfig | None = None


@dataclass
class RunningSandbox:
    store: PortalStore
    api: SandboxApi
    http: SandboxHttpServer
    options: SandboxOptions
    live: LivePortal | None
    ca_path: Path | None

    @property
    def scheme(self) -> str:
        return "https" if self.ca_path else "http"

    @property
    def domain(self) -> str:
        """Host and port, as `b24pysdk.BitrixWebhook(domain=...)` wants it."""
        host = "localhost" if self.ca_path and self.options.host in ("127.0.0.1", "0.0.0.0") else self.options.host
        return f"{host}:{self.http.port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.scheme}://{self.domain}/rest/{self.options.user_id}/{self.options.token}/"

    @property
    def redacted_webhook_url(self) -> str:
        return f"{self.scheme}://{self.domain}/rest/{self.options.user_id}/***/"

    def stop(self) -> None:
        self.http.stop()
        self.store.close()

    def __enter__(self) -> "RunningSandbox":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def start_sandbox(portal_dir: Path, options: SandboxOptions | None = None,
                  progress: Callable[[str], None] | None = None) -> RunningSandbox:
    """Opens the portal and serves it on a background thread; stop() (or `with`) ends it."""
    options = options or SandboxOptions()
    store = PortalStore(Path(portal_dir), index_path=options.index_path, progress=progress)
    config = ServerConfig(
        token=options.token, user_id=options.user_id, limits=options.limits, faults=options.faults,
        cost_model=options.cost_model,
    )
    api = SandboxApi(store, config)
    live = LivePortal(store, options.live) if options.live else None
    if live is not None:
        api.after_request.append(live.on_request)
    tls = server_tls(options.tls_dir) if options.tls_dir else None

    def control(path: str, params: dict[str, list[str]]) -> tuple[int, Any]:
        if path == "/sandbox/status":
            status = api.status()
            status["live_step"] = live.step if live else 0
            status["clock"] = store.format_datetime(store.now())
            return 200, status
        if path == "/sandbox/live/advance":
            if live is None:
                return 409, {"error": "live mode is off"}
            steps = int((params.get("steps") or ["1"])[0])
            share = (params.get("share") or [None])[0]  # e.g. 0.01: each step changes ~1% of records
            plan = ChangePlan.fraction(store, float(share)) if share else None
            summary = live.advance(steps, plan=plan)
            return 200, {"step": live.step, "changes": summary}
        return 404, {"error": f"unknown control endpoint {path}"}

    http = SandboxHttpServer((options.host, options.port), api, tls.context if tls else None, control)
    http.start_in_thread()
    return RunningSandbox(store=store, api=api, http=http, options=options, live=live,
                          ca_path=tls.ca_path if tls else None)
