"""PHP `http_build_query` encoding for `batch` commands (`filter[>ID]=5&select[0]=ID`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote


def _pairs(prefix: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        pairs = []
        for key, item in value.items():
            pairs.extend(_pairs(f"{prefix}[{key}]" if prefix else str(key), item))
        return pairs
    if isinstance(value, (list, tuple)):
        pairs = []
        for index, item in enumerate(value):
            pairs.extend(_pairs(f"{prefix}[{index}]", item))
        return pairs
    if value is None:
        return [(prefix, "")]
    if isinstance(value, bool):
        return [(prefix, "Y" if value else "N")]
    return [(prefix, str(value))]


def build_query(params: dict[str, Any]) -> str:
    """Keys and values percent-encoded, except `$result[...]` references, which must survive."""
    encoded = []
    for key, value in _pairs("", params):
        encoded.append(f"{quote(key, safe='[]')}={quote(value, safe='$[]') if value.startswith('$') else quote(value, safe='')}")
    return "&".join(encoded)


def command(method: str, params: dict[str, Any]) -> str:
    query = build_query(params)
    return f"{method}?{query}" if query else method
