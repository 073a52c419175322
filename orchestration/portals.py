"""The portals the orchestrator extracts: one TOML file (orchestration/portals.toml), one entry each.

A real portal's webhook URL is a secret and never sits in the file: it is read the dlt way, from
`PORTALS__<NAME>__WEBHOOK_URL` or `[portals.<name>] webhook_url` in .dlt/secrets.toml, only when a
run needs it. `CRM_WAREHOUSE_PORTALS` points at another file (tests, other deployments).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter  # dlt's dependency; Dagster reads the same syntax

DEFAULT_PORTALS_FILE = Path(__file__).resolve().with_name("portals.toml")
SANDBOX_SCALES = ("tiny", "small", "medium", "large")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class PortalConfigError(ValueError):
    """A portals file that cannot be used; names the file, the entry and the setting."""


@dataclass(frozen=True)
class PortalConfig:
    name: str  # partition key and secrets section
    portal_id: str | None = None  # None: the webhook's host name (DESIGN.md §4)
    sandbox: str | None = None  # a generated sandbox portal of this scale instead of a webhook
    seed: int = 42
    schedule: str = "0 * * * *"
    nightly_schedule: str = "30 2 * * *"
    timezone: str = "UTC"
    requests_per_second: float = 2.0
    burst: int = 50

    @property
    def secret_env_var(self) -> str:
        return f"PORTALS__{self.name.upper()}__WEBHOOK_URL"

    def webhook_url(self) -> str:
        """The secret webhook URL, from the environment or .dlt/secrets.toml."""
        import dlt

        url = dlt.secrets.get(f"portals.{self.name}.webhook_url")
        if not url:
            raise PortalConfigError(
                f"portal {self.name!r}: no webhook URL; set {self.secret_env_var} or "
                f"[portals.{self.name}] webhook_url in .dlt/secrets.toml")
        return str(url)


def portals_file() -> Path:
    return Path(os.environ.get("CRM_WAREHOUSE_PORTALS") or DEFAULT_PORTALS_FILE)


def load_portals(path: Path | None = None) -> list[PortalConfig]:
    path = path or portals_file()
    try:
        document = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise PortalConfigError(f"{path}: portals file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise PortalConfigError(f"{path}: {error}") from None
    known = {field.name for field in fields(PortalConfig)}
    defaults = document.get("defaults", {})
    entries = document.get("portal", [])
    if not entries:
        raise PortalConfigError(f"{path}: no [[portal]] entry")
    portals: list[PortalConfig] = []
    for number, entry in enumerate(entries, start=1):
        settings = {**defaults, **entry}
        where = f"{path}: portal {settings.get('name', f'#{number}')!r}"
        unknown = sorted(set(settings) - known)
        if unknown:
            raise PortalConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        name = settings.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise PortalConfigError(f"{where}: name must be lower-case letters, digits and _ (got {name!r})")
        if settings.get("sandbox") not in (None, *SANDBOX_SCALES):
            raise PortalConfigError(f"{where}: sandbox must be one of {', '.join(SANDBOX_SCALES)}")
        try:
            ZoneInfo(str(settings.get("timezone", "UTC")))
        except (ZoneInfoNotFoundError, ValueError):
            raise PortalConfigError(f"{where}: unknown time zone {settings.get('timezone')!r}") from None
        for key in ("schedule", "nightly_schedule"):
            if key in settings and not croniter.is_valid(str(settings[key])):
                raise PortalConfigError(f"{where}: {key} {settings[key]!r} is not a cron expression")
        portals.append(PortalConfig(**settings))
    names = [portal.name for portal in portals]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise PortalConfigError(f"{path}: portal name(s) used twice: {', '.join(duplicates)}")
    return portals
