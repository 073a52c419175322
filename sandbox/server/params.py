"""Request parameters the way PHP reads them: query string, form body and JSON body merged.

Clients encode nested parameters PHP-style (`filter[>ID]=5&select[]=ID`, http_build_query), both
in URLs and inside `batch` commands, so the parser follows PHP `parse_str` semantics.
"""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import unquote_plus

import orjson

_BRACKETS = re.compile(r"\[([^\]]*)\]")


class BadRequest(ValueError):
    """The body or the query string cannot be read."""


def parse_php_query(query: str) -> dict[str, Any]:
    """`a[b][]=1&a[b][]=2&c=3` -> {"a": {"b": ["1", "2"]}, "c": "3"} (PHP parse_str)."""
    result: dict[str, Any] = {}
    if not query:
        return result
    for pair in query.split("&"):
        if not pair:
            continue
        raw_key, _, raw_value = pair.partition("=")
        base, path = _parsed_key(raw_key)
        if not base:
            continue
        _assign(result, [base, *path], unquote_plus(raw_value) if "%" in raw_value or "+" in raw_value else raw_value)
    return result


@functools.lru_cache(maxsize=65536)
def _parsed_key(raw_key: str) -> tuple[str, tuple[str, ...]]:
    """Keys repeat across the commands of a batch (`filter[=ownerId][17]`): parsed once."""
    base, path = _split_key(unquote_plus(raw_key))
    return base, tuple(path)


def _split_key(key: str) -> tuple[str, list[str]]:
    first = key.find("[")
    if first <= 0 or "]" not in key[first:]:
        return key, []
    base = key[:first]
    rest = key[first:]
    path = []
    position = 0
    for match in _BRACKETS.finditer(rest):
        if match.start() != position:
            break
        path.append(match.group(1))
        position = match.end()
    return base, path


def _assign(container: dict[str, Any], path: list[str], value: str) -> None:
    node: Any = container
    for index, segment in enumerate(path):
        last = index == len(path) - 1
        if segment == "":  # `x[]=` appends: PHP assigns the next integer key
            segment = str(_next_index(node))
        if last:
            node[segment] = value
            return
        child = node.get(segment)
        if not isinstance(child, dict):
            child = {}
            node[segment] = child
        node = child


def _next_index(node: dict[str, Any]) -> int:
    numeric = [int(key) for key in node if key.isdigit()]
    return max(numeric) + 1 if numeric else 0


def lists_from_maps(value: Any) -> Any:
    """PHP arrays with keys 0..n-1 become lists, so JSON and form bodies look the same."""
    if isinstance(value, dict):
        converted = {key: lists_from_maps(item) for key, item in value.items()}
        keys = list(converted)
        if keys and all(key.isdigit() for key in keys) and sorted(int(key) for key in keys) == list(range(len(keys))):
            return [converted[str(index)] for index in range(len(keys))]
        return converted
    if isinstance(value, list):
        return [lists_from_maps(item) for item in value]
    return value


def decode_request(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Merges query-string and body parameters (body wins, like PHP's $_REQUEST for POST)."""
    params = parse_php_query(query)
    media_type = content_type.split(";", 1)[0].strip().lower()
    if body:
        if media_type == "application/json" or (not media_type and body[:1] in (b"{", b"[")):
            try:
                decoded = orjson.loads(body)
            except orjson.JSONDecodeError as error:
                raise BadRequest(f"Invalid JSON body: {error}") from None
            if isinstance(decoded, dict):
                params.update(decoded)
            elif decoded not in (None, []):
                raise BadRequest("JSON body must be an object")
        elif media_type in ("application/x-www-form-urlencoded", ""):
            params.update(parse_php_query(body.decode("utf-8", errors="replace")))
        elif media_type == "multipart/form-data":
            params.update(_parse_multipart(content_type, body))
        else:
            raise BadRequest(f"Unsupported content type {media_type}")
    return lists_from_maps(params)


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields: dict[str, Any] = {}
    pairs = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name is None:
            continue
        pairs.append(f"{_quote(name)}={_quote(part.get_content() if part.get_content_maintype() == 'text' else '')}")
    fields.update(parse_php_query("&".join(pairs)))
    return fields


def _quote(text: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(text)


def get_param(params: dict[str, Any], name: str, default: Any = None) -> Any:
    """Legacy CRM methods read `filter`/`FILTER`/`Filter` alike (CCrmRestHelper::resolveArrayParam)."""
    if name in params:
        return params[name]
    lowered = name.lower()
    for key, value in params.items():
        if key.lower() == lowered:
            return value
    return default


def get_merged_param(params: dict[str, Any], name: str) -> Any:
    """A map parameter sent under several casings (`FILTER` and `filter`) is merged, later wins."""
    lowered = name.lower()
    found = [value for key, value in params.items() if key.lower() == lowered]
    if len(found) <= 1:
        return found[0] if found else None
    merged: dict[str, Any] = {}
    for value in found:
        if isinstance(value, dict):
            merged.update(value)
    return merged
