"""Portal sizes.

A scale fixes the primary record counts exactly (deals, leads, contacts, companies, users) so tests
and benchmarks can assert them; child records (stage history, activities, calls, product rows,
invoices) follow from the business rules and land near the documented targets.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    """Primary counts of one portal size, plus how many records one worker task renders."""

    name: str
    deals: int
    leads: int
    contacts: int
    companies: int
    users: int
    chunk: int = 20_000  # deals or leads per rendering task (a unit of parallel work)

    @property
    def client_chunk(self) -> int:
        """Contacts/companies per rendering task: they are cheap, so bigger chunks."""
        return self.chunk * 3


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", deals=150, leads=100, contacts=120, companies=30, users=12),
    "small": Scale("small", deals=2_000, leads=1_500, contacts=1_200, companies=300, users=25),
    "medium": Scale(
        "medium", deals=50_000, leads=25_000, contacts=30_000, companies=5_000, users=120
    ),
    "large": Scale(
        "large",
        deals=1_000_000,
        leads=500_000,
        contacts=600_000,
        companies=100_000,
        users=600,
    ),
}


def get_scale(name: str) -> Scale:
    """The scale called `name`; a clear error lists the valid names."""
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r}; choose one of {', '.join(SCALES)}") from None
