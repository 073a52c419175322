"""Typing Bitrix24 records: strings to numbers, `Y`/`N` to booleans, ISO strings to datetimes.

Legacy methods return every number as a string and flags as `Y`/`N` (reference §5.0). Types come
from the portal's own field metadata (`crm.<entity>.fields`) where it exists, else from the static
maps in `field_types.py`. A value that does not convert is not guessed at and does not stop the
load: it becomes NULL and the record carries a `_load_issues` note naming the field and value.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Callable


class FieldType(str, enum.Enum):
    TEXT = "text"
    INT = "bigint"
    DECIMAL = "decimal"
    DOUBLE = "double"
    BOOL = "bool"  # `Y`/`N`, true/false, 1/0
    DATETIME = "timestamp"
    DATE = "date"  # a date the API returns as a datetime: its local (portal) date
    JSON = "json"  # nested values (multi-fields PHONE/EMAIL, lists) kept whole

    def dlt_hint(self) -> dict[str, Any]:
        hint: dict[str, Any] = {"data_type": self.value, "nullable": True}
        if self is FieldType.DECIMAL:
            hint.update(precision=20, scale=4)
        if self is FieldType.DATETIME:
            hint["timezone"] = True
        return hint


class BadValue(ValueError):
    pass


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise BadValue
    if isinstance(value, int):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        number = float(text)  # "5.0" is still an id
        if number != int(number):
            raise BadValue from None
        return int(number)


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise BadValue
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadValue from None
    if not number.is_finite():
        raise BadValue
    return number


def _to_double(value: Any) -> float:
    if isinstance(value, bool):
        raise BadValue
    try:
        return float(str(value).strip())
    except ValueError:
        raise BadValue from None


_TRUE = {"y", "true", "1"}
_FALSE = {"n", "false", "0"}


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue


def _to_datetime(value: Any) -> datetime:
    parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise BadValue  # a datetime without its offset cannot be placed in time
    return parsed


def _to_date(value: Any) -> date:
    text = str(value).strip()
    return date.fromisoformat(text[:10])  # the portal-local date part of "2024-08-30T00:00:00+03:00"


_CONVERTERS: dict[FieldType, Callable[[Any], Any]] = {
    FieldType.INT: _to_int,
    FieldType.DECIMAL: _to_decimal,
    FieldType.DOUBLE: _to_double,
    FieldType.BOOL: _to_bool,
    FieldType.DATETIME: _to_datetime,
    FieldType.DATE: _to_date,
}


class RecordTyper:
    """Types the fields of one entity's records; unknown fields pass through untouched."""

    def __init__(self, entity: str, key: str, types: dict[str, FieldType]) -> None:
        self.entity = entity
        self.key = key
        self.types = types
        self._converters = {field: _CONVERTERS[kind] for field, kind in types.items() if kind in _CONVERTERS}
        self._text_fields = [field for field, kind in types.items() if kind is FieldType.TEXT]

    def __call__(self, record: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, Any, str]]]:
        """(typed record, [(field, bad value, expected type)])."""
        issues: list[tuple[str, Any, str]] = []
        for field, convert in self._converters.items():
            value = record.get(field)
            if value is None or value == "" or value == {} or value == []:
                if field in record:
                    record[field] = None
                continue
            try:
                record[field] = convert(value)
            except (BadValue, ValueError, TypeError):
                issues.append((field, value, self.types[field].value))
                record[field] = None
        for field in self._text_fields:
            value = record.get(field)
            if value == {} or value == []:  # the API's empty objects (user.get TIMESTAMP_X: {})
                record[field] = None
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                record[field] = str(value)
        return record, issues
