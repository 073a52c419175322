"""Stage history (`crm.stagehistory.list`) rows: packing, global ordering and rendering.

History ids are one autoincrement per entity type in chronological order across all owners, so
rows cannot be numbered until every record's path is known. Rendering tasks therefore hand back
each row packed into one 63-bit integer whose natural order is (time, owner, position); the main
process sorts them, and the sorted array is rendered in slices in parallel (id = position + 1).

Layout, high to low: time 27 bits | owner 22 bits | position 5 bits | TYPE_ID 3 bits | stage 6 bits.
"""

from __future__ import annotations

from array import array

from .business import DEAL_STAGES, LEAD_STATUSES
from .clock import Clock

CREATION, MODIFICATION, FINALIZATION, CATEGORY_CHANGE = 1, 2, 3, 5
MAX_OWNER = (1 << 22) - 1


def pack(t: int, owner: int, position: int, type_id: int, code: int) -> int:
    return (t << 36) | (owner << 14) | (position << 9) | (type_id << 6) | code


def unpack(key: int) -> tuple[int, int, int, int, int]:
    return (key >> 36, (key >> 14) & MAX_OWNER, (key >> 9) & 31, (key >> 6) & 7, key & 63)


def history_types(codes: list[int], stage_category: list[int | None],
                  stage_final: list[bool]) -> list[int]:
    """TYPE_ID of each row under the new implementation rules (reference §5.5): creation in a
    final stage or a move into one = 3, creation = 1, pipeline change = 5, other moves = 2."""
    out = [FINALIZATION if stage_final[codes[0]] else CREATION]
    for prev, code in zip(codes, codes[1:]):
        if stage_category[code] != stage_category[prev]:
            out.append(CATEGORY_CHANGE)
        elif stage_final[code]:
            out.append(FINALIZATION)
        else:
            out.append(MODIFICATION)
    return out


DEAL_CATEGORY = [s.category for s in DEAL_STAGES]
DEAL_FINAL = [s.semantics != "P" for s in DEAL_STAGES]
LEAD_CATEGORY: list[int | None] = [None for _ in LEAD_STATUSES]
LEAD_FINAL = [s.semantics != "P" for s in LEAD_STATUSES]


def _deal_tails() -> list[str]:
    return [f',"CATEGORY_ID":{s.category},"STAGE_SEMANTIC_ID":"{s.semantics}",'
            f'"STAGE_ID":"{s.status_id}"}}' for s in DEAL_STAGES]


def _lead_tails() -> list[str]:
    return [f',"STATUS_SEMANTIC_ID":"{s.semantics}","STATUS_ID":"{s.status_id}"}}'
            for s in LEAD_STATUSES]


def render_slice(keys: array, first_id: int, entity: str, clock: Clock, sink,
                 file: str) -> int:
    """Render sorted packed rows; the row at position i gets ID first_id + i."""
    tails = _deal_tails() if entity == "deal" else _lead_tails()
    iso = clock.iso
    head = '{"ID":%d,"TYPE_ID":%d,"OWNER_ID":%d,"CREATED_TIME":"%s"'
    row_id = first_id
    add = sink.add_line
    for key in keys:
        line = head % (row_id, (key >> 6) & 7, (key >> 14) & MAX_OWNER, iso(key >> 36))
        add(file, (line + tails[key & 63]).encode())
        row_id += 1
    return row_id - first_id
