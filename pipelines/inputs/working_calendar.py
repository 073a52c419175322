"""The working calendar (`working_calendar.csv`): Monday to Friday are working days except the
listed holidays; listed weekend days are working days (the transferred working Saturdays of, for
example, the Russian calendar). A month has about 22 working days, never a constant 22."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipelines.inputs.csv_rows import read_rows
from pipelines.inputs.errors import InputError, raise_all

COLUMNS = ("date", "day_type", "name")
DAY_TYPES = ("holiday", "working_day")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class CalendarDay:
    day: date
    is_working_day: bool
    name: str
    line: int


def read_working_calendar(path: Path) -> list[CalendarDay]:
    days: list[CalendarDay] = []
    errors: list[InputError] = []
    seen: dict[date, int] = {}
    for line, values in read_rows(path, COLUMNS):
        if isinstance(values, InputError):
            errors.append(values)
            continue
        try:
            if not _DATE.match(values["date"]):
                raise ValueError(values["date"])
            day = date.fromisoformat(values["date"])
        except ValueError:
            errors.append(InputError(path, line, f"date {values['date']!r} is not YYYY-MM-DD"))
            continue
        if values["day_type"] not in DAY_TYPES:
            errors.append(InputError(path, line, f"day_type {values['day_type']!r} is not one of "
                                     f"{', '.join(DAY_TYPES)}"))
            continue
        if day in seen:
            errors.append(InputError(path, line, f"date {values['date']} is already listed on line {seen[day]}"))
            continue
        seen[day] = line
        days.append(CalendarDay(day, values["day_type"] == "working_day", values["name"], line))
    raise_all(errors)
    return days
