"""A failed expectation as the gates report it: where (table, column), how bad, and sample records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITY_OF = {"critical": "error", "warning": "warning", "info": "warning"}


@dataclass(frozen=True)
class Failure:
    portal_id: str  # '' for checks across portals
    check: str  # keys, volume, references, datetimes, amounts, freshness, invariants, dimensions
    expectation: str  # what was expected, in words
    table: str
    column: str | None
    severity: str  # error | warning
    unexpected_count: int | None
    element_count: int | None
    observed: str
    sample_record_ids: list[str] = field(default_factory=list)
    sample_owner_ids: list[str] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        return {"check_name": self.check, "expectation": self.expectation, "table_name": self.table,
                "column_name": self.column, "severity": self.severity, "unexpected_count": self.unexpected_count,
                "element_count": self.element_count, "observed": self.observed[:1024],
                "sample_record_ids": ",".join(self.sample_record_ids)[:2048],
                "sample_owner_ids": ",".join(self.sample_owner_ids)[:2048]}


def failure_from_result(result: Any, samples: list[dict[str, Any]] | None = None) -> Failure:
    """One GE ExpectationValidationResult that did not succeed, as a Failure.

    Column-map expectations give their sample rows in `partial_unexpected_index_list` (the record id
    and owner columns every gate asset exposes); SQL expectations pass theirs in `samples`."""
    config = result.expectation_config
    meta = config.meta or {}
    outcome = result.result or {}
    error = _raised(result.exception_info)
    if error:
        observed = "could not be evaluated: " + error[:300]
    elif config.type == "unexpected_rows_expectation":
        observed = f"{outcome.get('observed_value', 0):,} rows"
    elif "observed_value" in outcome:
        observed = f"observed {outcome['observed_value']}"
    else:
        observed = f"{outcome.get('unexpected_count', 0):,} of {outcome.get('element_count', 0):,} rows " \
                   f"({outcome.get('unexpected_percent', 0):.2f}%)"
    rows = samples if samples is not None else (
        outcome.get("partial_unexpected_index_list") or _rows_of_values(outcome.get("partial_unexpected_list")))
    unexpected = outcome.get("unexpected_count")
    if unexpected is None and meta.get("check") in ("invariants", "dimensions", "references"):
        unexpected = outcome.get("observed_value")
    portals = {str(row["portal_id"]) for row in rows if row.get("portal_id") is not None}
    return Failure(
        # a marts gate check spans portals; its samples tell which one, when they share it
        portal_id=meta.get("portal_id") or (portals.pop() if len(portals) == 1 else ""), check=meta.get("check", ""), expectation=meta.get("expectation", config.type),
        table=meta.get("table", ""), column=meta.get("column"),
        severity=SEVERITY_OF.get(getattr(config.severity, "value", str(config.severity)), "error"),
        unexpected_count=unexpected, element_count=outcome.get("element_count"), observed=observed,
        sample_record_ids=_distinct(str(row.get("gate_record_id")) for row in rows if row.get("gate_record_id") is not None),
        sample_owner_ids=_distinct(str(row.get("gate_owner_id")) for row in rows if row.get("gate_owner_id") is not None),
    )


def _rows_of_values(values: list | None) -> list[dict[str, Any]]:
    """Multi-column expectations (compound keys) give the failing key values, not index rows."""
    return [{"gate_record_id": ":".join(str(value) for name, value in entry.items() if name != "portal_id")}
            for entry in values or [] if isinstance(entry, dict)]


def _raised(info: Any) -> str | None:
    """GE's exception info: one dict, or one per metric that failed to resolve."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message", ""))
    nested = [value for value in info.values() if isinstance(value, dict) and value.get("raised_exception")]
    return str(nested[0].get("exception_message", "")) if nested else None


def _distinct(values) -> list[str]:
    return list(dict.fromkeys(values))[:10]
