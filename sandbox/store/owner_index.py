"""Rows of many owners in key order without a table scan: the owner-id index of product rows.

`crm.item.productrow.list` is asked for "the rows of these 250 deals after id x, by id". A portal
answers that from an index on the owner; a SQL `IN` of 250 bound values over a table of product
rows costs the sandbox ~60 ms a command. Here the rows are held sorted by (owner, id): a binary
search per owner finds each owner's rows, and only the page's records are read from DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OwnerIndex:
    owners: np.ndarray  # float64, sorted; ties sorted by id
    keys: np.ndarray  # float64 record keys
    positions: np.ndarray  # int64 `pos` of each record
    owner_types: frozenset[str]  # every owner type in the table (the index is of one type)

    @classmethod
    def build(cls, owners: np.ndarray, keys: np.ndarray, positions: np.ndarray, owner_types: set[str]) -> "OwnerIndex":
        owners = np.asarray(owners, dtype=np.float64)
        keys = np.asarray(keys, dtype=np.float64)
        order = np.lexsort((keys, owners))
        return cls(owners[order], keys[order], np.asarray(positions, dtype=np.int64)[order], frozenset(owner_types))

    def matching(self, owners: list[float], bounds: list[tuple[str, float]]) -> tuple[np.ndarray, np.ndarray]:
        """(keys, positions) of the rows of `owners` within the key `bounds`, in key order."""
        wanted = np.unique(np.asarray(owners, dtype=np.float64))
        starts = np.searchsorted(self.owners, wanted, side="left")
        ends = np.searchsorted(self.owners, wanted, side="right")
        picks = [np.arange(start, end) for start, end in zip(starts, ends) if end > start]
        if not picks:
            return np.empty(0), np.empty(0, dtype=np.int64)
        rows = np.concatenate(picks)
        keys, positions = self.keys[rows], self.positions[rows]
        keep = np.ones(keys.size, dtype=bool)
        for operator, value in bounds:
            if operator == ">":
                keep &= keys > value
            elif operator == ">=":
                keep &= keys >= value
            elif operator == "<":
                keep &= keys < value
            elif operator == "<=":
                keep &= keys <= value
            elif operator == "=":
                keep &= keys == value
            else:  # pragma: no cover - callers only pass the operators above
                raise ValueError(operator)
        keys, positions = keys[keep], positions[keep]
        order = np.argsort(keys, kind="stable")
        return keys[order], positions[order]
