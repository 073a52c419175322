"""Bitrix24 list filters (`{"><ID": [1, 5], ">=DATE_MODIFY": "2025-01-01", "%TITLE": "sofa"}`) to SQL.

Prefix operators (reference §5.0 and §5.11): `=` (default), `!`/`!=`, `>`, `>=`, `<`, `<=`, `@` (in),
`!@` (not in), `%` (contains), `=%`/`%=` (LIKE with the caller's wildcards), `!%`, `!=%`/`!%=`,
`><`/`!><` (between), `?` (search, treated as contains). A list value with `=`/`!` means in/not in.
Negations include empty values, as the portal's SQL does (`field IS NULL OR NOT ...`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from sandbox.store.columns import Kind

# Longest prefixes first, so `>=` is not read as `>` applied to "=FIELD".
OPERATORS = ("!><", "><", "!=%", "!%=", ">=", "<=", "=%", "%=", "!%", "!@", "!=", ">", "<", "@", "%", "=", "!", "?")


class FilterError(ValueError):
    """A filter the portal would refuse; the message names the field."""


class _Unmatchable(Exception):
    """A filter value that cannot be converted to the column's type."""


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    value: Any


def split_key(key: str) -> tuple[str, str]:
    for operator in OPERATORS:
        if key.startswith(operator) and len(key) > len(operator):
            return operator, key[len(operator):]
    return "=", key


def as_list(value: Any) -> list[Any] | None:
    """Lists arrive as JSON arrays or as PHP-style maps with numeric keys (`x[0]=a&x[1]=b`)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and all(str(key).isdigit() for key in value):
        return [value[key] for key in sorted(value, key=lambda key: int(key))]
    return None


def parse_conditions(raw_filter: Any) -> list[Condition]:
    if raw_filter in (None, "", []):
        return []
    if not isinstance(raw_filter, dict):
        raise FilterError("filter is not an array")
    conditions = []
    for key, value in raw_filter.items():
        key = str(key)
        if key.upper() in ("LOGIC",):
            continue
        operator, field = split_key(key.strip())
        conditions.append(Condition(field=field, operator=operator, value=value))
    return conditions


_OFFSET_RE = re.compile(r"^([+-])(\d{2}):?(\d{2})$")


def parse_offset(offset: str) -> timezone:
    match = _OFFSET_RE.match(offset)
    if not match:
        raise ValueError(f"bad time-zone offset {offset!r}")
    sign = 1 if match.group(1) == "+" else -1
    return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")
_DATETIME_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M",
                     "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M")


def parse_datetime_value(value: Any, tz: timezone) -> datetime | None:
    """Filter dates as portals accept them: ISO 8601 with or without offset, date only, d.m.Y."""
    text = str(value).strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    except ValueError:
        pass
    for fmt in _DATETIME_FORMATS + _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    return None


def _truthy(value: Any) -> bool | None:
    text = str(value).strip().lower()
    if text in ("y", "true", "1"):
        return True
    if text in ("n", "false", "0", ""):
        return False
    return None


class SqlFilter:
    """Builds a WHERE clause; `column(field)` returns the typed column name and kind, or None."""

    def __init__(self, column: Callable[[str], tuple[str, Kind] | None], tz: timezone) -> None:
        self._column = column
        self._tz = tz
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def add(self, condition: Condition) -> bool:
        """Adds one condition; False if the field is unknown (legacy methods ignore those)."""
        resolved = self._column(condition.field)
        if resolved is None:
            return False
        column, kind = resolved
        clause = self._clause(column, kind, condition)
        if clause:
            self.clauses.append(clause)
        return True

    def where(self) -> str:
        return " and ".join(f"({clause})" for clause in self.clauses) if self.clauses else "true"

    # -- one condition -------------------------------------------------------------------------

    def _clause(self, column: str, kind: Kind, condition: Condition) -> str:
        mark = len(self.params)
        try:
            return self._typed_clause(column, kind, condition)
        except _Unmatchable:
            # A value the column cannot hold ("abc" for an ID): nothing equals it, everything differs.
            del self.params[mark:]
            return "true" if condition.operator.startswith("!") else "false"

    def _typed_clause(self, column: str, kind: Kind, condition: Condition) -> str:
        operator, value = condition.operator, condition.value
        values = as_list(value)
        if operator in ("><", "!><"):
            if not values or len(values) != 2:
                raise FilterError(f"Invalid filter: field '{condition.field}' needs two values for {operator}")
            low, high = (self._bind(kind, item, condition) for item in values)
            between = f"{column} between {low} and {high}"
            return between if operator == "><" else f"{column} is null or not ({between})"
        if values is not None or operator in ("@", "!@"):
            items = values if values is not None else [value]
            negate = operator in ("!", "!=", "!@")
            return self._membership(column, kind, items, negate, condition)
        if operator in ("%", "?", "!%", "=%", "%=", "!=%", "!%="):
            return self._like(column, kind, operator, value)
        if operator in ("=", "!", "!="):
            negate = operator != "="
            if value is None or value == "" or (value is False and kind is not Kind.BOOL):
                return f"{column} is not null" if negate else f"{column} is null"
            return self._membership(column, kind, [value], negate, condition)
        # >, >=, <, <=: an empty bound is no bound (what a failed `$result[...]` reference leaves)
        if value is None or value == "":
            return ""
        bound = self._bind(kind, value, condition)
        return f"{column} {operator} {bound}"

    def _membership(self, column: str, kind: Kind, items: list[Any], negate: bool, condition: Condition) -> str:
        if kind is Kind.ARRAY:
            tests = []
            for item in items:
                self.params.append(str(item))
                tests.append(f"list_contains({column}, ?)")
            positive = " or ".join(tests) if tests else "false"
        else:
            if not items:
                positive = "false"
            else:
                binds = ", ".join(self._bind(kind, item, condition) for item in items)
                positive = f"{column} in ({binds})"
        return f"{column} is null or not ({positive})" if negate else positive

    def _like(self, column: str, kind: Kind, operator: str, value: Any) -> str:
        text = column if kind in (Kind.STRING, Kind.OBJECT) else f"cast({column} as varchar)"
        if kind is Kind.ARRAY:
            text = f"array_to_string({column}, chr(1))"
        pattern = str(value) if operator in ("=%", "%=", "!=%", "!%=") else f"%{value}%"
        self.params.append(pattern)
        positive = f"{text} ilike ?"
        return f"{column} is null or not ({positive})" if operator.startswith("!") else positive

    def _bind(self, kind: Kind, value: Any, condition: Condition) -> str:
        """A placeholder with the value converted the way the column compares."""
        if kind is Kind.NUMBER:
            try:
                self.params.append(float(value))
            except (TypeError, ValueError):
                raise _Unmatchable from None
            return "?"
        if kind in (Kind.DATETIME, Kind.DATE):
            moment = parse_datetime_value(value, self._tz)
            if moment is None:
                raise _Unmatchable
            if kind is Kind.DATE:
                self.params.append(moment.date().isoformat() if isinstance(moment, datetime) else str(moment))
                return "cast(? as date)"
            self.params.append(moment.isoformat())
            return "cast(? as timestamptz)"
        if kind is Kind.BOOL:
            truth = _truthy(value)
            if truth is None:
                raise _Unmatchable
            self.params.append(truth)
            return "?"
        self.params.append(str(value) if not isinstance(value, bool) else ("Y" if value else "N"))
        return "?"
