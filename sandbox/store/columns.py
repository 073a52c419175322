"""Typed shadow columns over raw JSON records.

Records are kept as their raw JSON text (so responses are byte-for-byte what the fixture says);
a field that a filter or an order needs is materialised once as a typed column. The type is
inferred from the data, because the legacy API returns numbers and dates as strings and a
hand-written portal has no metadata: "10" < "9" as strings, but 10 > 9 as the portal compares.
"""

from __future__ import annotations

import enum
import re

# Multi-value fields the legacy API returns only when named in `select` (reference §5.0).
MULTI_FIELDS = frozenset({"PHONE", "EMAIL", "WEB", "IM", "LINK", "COMMUNICATIONS", "FILES"})

_SAFE_FIELD = re.compile(r"^[A-Za-z0-9_.\-]+$")


class Kind(str, enum.Enum):
    """How the values of one field compare."""

    NUMBER = "number"
    DATETIME = "datetime"
    DATE = "date"
    BOOL = "bool"
    STRING = "string"
    ARRAY = "array"  # list of scalars, or multi-field list of {VALUE: ...}
    OBJECT = "object"

    @property
    def sql_type(self) -> str:
        return {
            Kind.NUMBER: "DOUBLE",
            Kind.DATETIME: "TIMESTAMPTZ",
            Kind.DATE: "DATE",
            Kind.BOOL: "BOOLEAN",
            Kind.STRING: "VARCHAR",
            Kind.ARRAY: "VARCHAR[]",
            Kind.OBJECT: "VARCHAR",
        }[self]


def check_field_name(name: str) -> str:
    """Field names end up inside JSON paths; anything but plain identifiers is refused."""
    if not _SAFE_FIELD.match(name):
        raise ValueError(f"unsupported field name {name!r}")
    return name


def json_path(field: str, suffix: str = "") -> str:
    return f"'$.\"{check_field_name(field)}\"{suffix}'"


def raw_text_sql(field: str) -> str:
    """The field as text ('' folded to NULL, as the portal treats empty values)."""
    return f"nullif(doc ->> {json_path(field)}, '')"


# Inference: one pass over the field, counting how its non-empty values look.
_DATETIME_RE = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?([+-]\d{2}:?\d{2}|Z)?$"
_DATE_RE = r"^\d{4}-\d{2}-\d{2}$"


def inference_sql(field: str, table: str) -> str:
    path = json_path(field)
    text = raw_text_sql(field)
    return f"""
        select
            count(*) filter (where json_type(doc, {path}) = 'ARRAY') as arrays,
            count(*) filter (where json_type(doc, {path}) = 'OBJECT') as objects,
            count(*) filter (where json_type(doc, {path}) = 'BOOLEAN') as booleans,
            count(*) filter (where {text} is not null
                             and json_type(doc, {path}) not in ('ARRAY', 'OBJECT', 'BOOLEAN')) as scalars,
            count(*) filter (where {text} is not null
                             and json_type(doc, {path}) not in ('ARRAY', 'OBJECT', 'BOOLEAN')
                             and try_cast({text} as double) is not null) as numbers,
            count(*) filter (where {text} is not null and regexp_matches({text}, '{_DATETIME_RE}')) as datetimes,
            count(*) filter (where {text} is not null and regexp_matches({text}, '{_DATE_RE}')) as dates
        from {table}
    """


def kind_from_counts(arrays: int, objects: int, booleans: int, scalars: int, numbers: int,
                     datetimes: int, dates: int) -> Kind:
    if arrays:
        return Kind.ARRAY
    if objects:
        return Kind.OBJECT
    if booleans and not scalars:
        return Kind.BOOL
    if scalars and numbers == scalars:
        return Kind.NUMBER
    if scalars and dates == scalars:
        return Kind.DATE
    if scalars and datetimes == scalars:
        return Kind.DATETIME
    return Kind.STRING


def typed_value_sql(field: str, kind: Kind) -> str:
    """SQL expression computing the typed shadow column from the raw document."""
    path = json_path(field)
    text = raw_text_sql(field)
    if kind is Kind.NUMBER:
        return f"try_cast({text} as double)"
    if kind is Kind.DATETIME:
        return f"try_cast({text} as timestamptz)"
    if kind is Kind.DATE:
        return f"try_cast({text} as date)"
    if kind is Kind.BOOL:
        return f"try_cast({text} as boolean)"
    if kind is Kind.ARRAY:
        # Multi-fields are lists of {VALUE: ...}; filters compare the VALUEs (reference §5.3).
        return (
            f"case when json_type(doc, {json_path(field, '[0]')}) = 'OBJECT' "
            f"then doc ->> {json_path(field, '[*].VALUE')} else doc ->> {json_path(field, '[*]')} end"
        )
    return text
