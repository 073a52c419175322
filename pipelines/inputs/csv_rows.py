"""CSV input files: a header, then one record a line; blank lines and lines starting with # are
comments. Rows come with their line number so every error can point at it."""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterator

from pipelines.inputs.errors import InputError


def read_rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()
              ) -> Iterator[tuple[int, dict | InputError]]:
    """(line number, {column: stripped value}) for each record of the file; a malformed record
    comes as (line number, InputError), so the reader can go on and report every problem."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        numbered = ((number, line) for number, line in enumerate(handle, start=1)
                    if line.strip() and not line.lstrip().startswith("#"))
        header_line, header = next(numbered, (1, ""))
        columns = [name.strip() for name in next(csv.reader([header]), [])]
        missing = [name for name in required if name not in columns]
        if missing:
            raise InputError(path, header_line, f"missing column(s) {', '.join(missing)}; expected "
                             f"{', '.join(required + optional)}")
        unknown = [name for name in columns if name not in required + optional]
        if unknown:
            raise InputError(path, header_line, f"unknown column(s) {', '.join(unknown)}; expected "
                             f"{', '.join(required + optional)}")
        for number, line in numbered:
            values = next(csv.reader([line]))
            if len(values) != len(columns):
                yield number, InputError(path, number, f"{len(values)} values for {len(columns)} columns: {line.strip()!r}")
                continue
            yield number, {name: value.strip() for name, value in zip(columns, values)}


def parse_amount(path: Path, line: int, column: str, text: str) -> Decimal:
    """A plan figure or a rate: a plain non-negative number (no thousands separators)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InputError(path, line, f"{column} {text!r} is not a number") from None
    if not value.is_finite():
        raise InputError(path, line, f"{column} {text!r} is not a number")
    if value < 0:
        raise InputError(path, line, f"{column} {text!r} is negative")
    return value
