"""The gates' thresholds and severities: expectations/gates.yml, overridable per portal and raw table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CONFIG = Path(__file__).with_name("gates.yml")
SEVERITIES = ("error", "warning")
SECTIONS = ("keys", "volume", "references", "datetimes", "amounts", "freshness", "invariants", "dimensions",
            "data_entry")


class GateConfigError(ValueError):
    """A setting of the gates' configuration file is wrong; the message names it."""


@dataclass(frozen=True)
class GateConfig:
    defaults: dict[str, dict[str, Any]]
    portals: dict[str, dict[str, Any]]
    source: Path

    def setting(self, section: str, portal_id: str | None = None, table: str | None = None) -> dict[str, Any]:
        """A section's settings: defaults, then the portal's, then the table's (in defaults, then portal)."""
        portal = self.portals.get(portal_id or "", {})
        merged = dict(self.defaults.get(section, {}))
        merged.update(portal.get(section, {}))
        for scope in (self.defaults, portal):
            merged.update(scope.get("tables", {}).get(table or "", {}).get(section, {}))
        return merged

    def severity(self, section: str, portal_id: str | None = None, table: str | None = None) -> str:
        return self.setting(section, portal_id, table).get("severity", "error")


def load_config(path: Path | None = None) -> GateConfig:
    """Reads and checks the file; a wrong setting stops with its place in the file."""
    source = path or DEFAULT_CONFIG
    try:
        document = yaml.safe_load(source.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise GateConfigError(f"{source}: cannot read the gates configuration: {error}") from None
    defaults = document.get("defaults") or {}
    portals = document.get("portals") or {}
    _check_scope(defaults, f"{source}: defaults")
    for portal_id, scope in portals.items():
        _check_scope(scope or {}, f"{source}: portals.{portal_id}")
    return GateConfig(defaults=defaults, portals={key: value or {} for key, value in portals.items()}, source=source)


def _check_scope(scope: dict[str, Any], where: str) -> None:
    for section, settings in scope.items():
        if section == "tables":
            for table, table_scope in (settings or {}).items():
                _check_scope(table_scope or {}, f"{where}.tables.{table}")
            continue
        if section not in SECTIONS:
            raise GateConfigError(f"{where}.{section}: unknown section; known: {', '.join(SECTIONS)}")
        if not isinstance(settings, dict):
            raise GateConfigError(f"{where}.{section}: expected a mapping of settings, got {settings!r}")
        severity = settings.get("severity")
        if severity is not None and severity not in SEVERITIES:
            raise GateConfigError(f"{where}.{section}.severity: {severity!r} is not one of {', '.join(SEVERITIES)}")
        for name in ("max_drop_share", "error_mostly"):
            value = settings.get(name)
            if value is not None and not (isinstance(value, (int, float)) and 0 <= value <= 1):
                raise GateConfigError(f"{where}.{section}.{name}: {value!r} must be a number between 0 and 1")
