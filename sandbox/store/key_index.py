"""Keyset pages in O(log n) on tables stored in key order.

The hot path of every real extractor is "next 50 records after ID x, by ID" (`>ID`, `start=-1`)
or "page N by ID". A SQL top-N over a million rows costs ~10 ms; the generator writes files
sorted by ID and live mode appends in ID order, so the key column in physical order is a sorted
array: a binary search finds the page and a zonemap-pruned range read of `pos` fetches it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class KeyIndex:
    keys: np.ndarray  # float64, strictly increasing
    positions: np.ndarray  # int64 `pos` of each key, increasing

    @classmethod
    def from_arrays(cls, keys: np.ndarray, positions: np.ndarray) -> "KeyIndex | None":
        """None unless the keys are present and strictly increasing in physical order."""
        keys = np.asarray(keys, dtype=np.float64)
        if keys.size and (np.isnan(keys).any() or not bool(np.all(np.diff(keys) > 0))):
            return None
        return cls(keys=keys, positions=np.asarray(positions, dtype=np.int64))

    def bounds(self, conditions: list[tuple[str, float]]) -> tuple[int, int]:
        """[lo, hi) of the rows satisfying every `(operator, value)` on the key."""
        lo, hi = 0, int(self.keys.size)
        for operator, value in conditions:
            if operator == ">":
                lo = max(lo, int(np.searchsorted(self.keys, value, side="right")))
            elif operator == ">=":
                lo = max(lo, int(np.searchsorted(self.keys, value, side="left")))
            elif operator == "<":
                hi = min(hi, int(np.searchsorted(self.keys, value, side="left")))
            elif operator == "<=":
                hi = min(hi, int(np.searchsorted(self.keys, value, side="right")))
            elif operator == "=":
                lo = max(lo, int(np.searchsorted(self.keys, value, side="left")))
                hi = min(hi, int(np.searchsorted(self.keys, value, side="right")))
            else:  # pragma: no cover - callers only pass the operators above
                raise ValueError(operator)
        return lo, max(lo, hi)
