"""The portal fixture format: a directory of JSON files, one per API list method.

This module is the single place that maps API methods to fixture files, so the generator, the
server and the tests agree on names. Format (DESIGN.md §4): each file holds the records exactly as
the API returns them (field names, string-typed numbers, date formats). List files are JSON
arrays; `*.fields.json` files hold the field map object that `crm.<entity>.fields` returns.
`portal.json` (optional) holds portal metadata: time-zone offset, the portal clock, the seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PORTAL_META_FILE = "portal.json"

# entityTypeId <-> the suffix used in file names of methods that take `entityTypeId`.
ENTITY_TYPE_NAMES: dict[int, str] = {
    1: "lead",
    2: "deal",
    3: "contact",
    4: "company",
    7: "quote",
    31: "smart_invoice",
}
ENTITY_TYPE_IDS: dict[str, int] = {name: type_id for type_id, name in ENTITY_TYPE_NAMES.items()}

# Methods with one file per entity type (file = "<method>.<entity name>.json").
ENTITY_TYPED_METHODS = (
    "crm.stagehistory.list",
    "crm.item.list",
    "crm.category.list",
)
FIELDS_METHODS = (
    "crm.lead.fields",
    "crm.deal.fields",
    "crm.contact.fields",
    "crm.company.fields",
)


def fixture_file_name(method: str, entity_type_id: int | None = None) -> str:
    """File name holding the records of `method` (and entity type, for typed methods)."""
    if method in ENTITY_TYPED_METHODS:
        if entity_type_id is None:
            raise ValueError(f"{method} needs an entityTypeId")
        name = ENTITY_TYPE_NAMES.get(entity_type_id, str(entity_type_id))
        return f"{method}.{name}.json"
    return f"{method}.json"


def fixture_path(portal_dir: Path, method: str, entity_type_id: int | None = None) -> Path:
    """Path of the fixture file; a numeric entity suffix (`crm.item.list.31.json`) also works."""
    path = portal_dir / fixture_file_name(method, entity_type_id)
    if not path.exists() and entity_type_id is not None:
        numeric = portal_dir / f"{method}.{entity_type_id}.json"
        if numeric.exists():
            return numeric
    return path


@dataclass(frozen=True)
class PortalMeta:
    """What `portal.json` says about a portal; every field has a default for hand-written ones."""

    timezone_offset: str = "+03:00"
    now: str | None = None  # the portal clock, ISO 8601; None = derive from the data
    seed: int | None = None
    scale: str | None = None

    @classmethod
    def read(cls, portal_dir: Path) -> "PortalMeta":
        path = portal_dir / PORTAL_META_FILE
        if not path.exists():
            return cls()
        raw = json.loads(path.read_text(encoding="utf-8"))
        known = {key: raw[key] for key in ("timezone_offset", "now", "seed", "scale") if key in raw}
        return cls(**known)
