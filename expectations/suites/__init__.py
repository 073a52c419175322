"""The gates' suites, as code: which tables are checked, for what, at which severity."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import great_expectations.expectations as gxe

GE_SEVERITY = {"error": "critical", "warning": "warning"}


@dataclass
class GateAsset:
    """One batch the gate validates: a query that exposes `gate_record_id` and `gate_owner_id` beside the
    table's columns (so every failure can name sample records and their owners) and its expectations."""

    name: str
    portal_id: str
    table: str
    query: str
    expectations: list[gxe.Expectation] = field(default_factory=list)

    @property
    def view(self) -> str:
        """The view the gate validates (schema `quality`): GE reflects a view's columns from the
        catalog, where for a query asset it fetched every row of the query just to learn them."""
        slug = re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_")
        return f"gate__{slug}"[:63]

    def expect(self, expectation_class, *, check: str, what: str, severity: str, column: str | None = None,
               **arguments) -> None:
        meta = {"check": check, "expectation": what, "table": self.table, "column": column,
                "portal_id": self.portal_id}
        if column is not None and "column" in expectation_class.__fields__:
            arguments["column"] = column
        self.expectations.append(expectation_class(severity=GE_SEVERITY[severity], meta=meta, **arguments))
