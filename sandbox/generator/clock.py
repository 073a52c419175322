"""Portal time: integer seconds since the start of the history window, in the portal's offset.

Formatting millions of datetimes with `datetime` is the single biggest cost of the generator, so
times are plain ints and ISO strings are built from two lookup tables (day prefix + time of day).
The portal has a fixed UTC offset (no DST), so local arithmetic is exact.
"""

from __future__ import annotations

import bisect
import random
from array import array
from datetime import date, datetime, timedelta

DAY = 86_400
HISTORY_DAYS = 730  # ~24 months of history before the as-of time
PAST_DAYS = 3_650  # users and catalogue items may predate the window
FUTURE_DAYS = 730  # planned close dates, instalment due dates

DEFAULT_AS_OF = "2026-11-20T18:00:00+03:00"

# Relative intensity of CRM work by hour of day (0..23): quiet nights, a morning peak around
# 11:00 and an afternoon one around 15:00-16:00, a tail into the evening.
HOUR_WEIGHTS = (
    0.15, 0.08, 0.04, 0.03, 0.03, 0.08, 0.3, 0.9, 2.5, 5.5, 8.5, 9.5,
    8.0, 6.5, 8.0, 8.8, 8.2, 7.0, 4.8, 2.8, 1.6, 1.0, 0.6, 0.3,
)
# Demand by month (Jan..Dec): winter holidays and summer are slow, autumn is the high season.
MONTH_WEIGHTS = (0.72, 0.86, 1.05, 1.08, 0.95, 0.85, 0.8, 0.9, 1.1, 1.2, 1.25, 1.14)
# Demand by weekday (Mon..Sun): showrooms work weekends, but far less CRM traffic.
WEEKDAY_WEIGHTS = (1.12, 1.1, 1.06, 1.04, 1.0, 0.62, 0.42)


def _cumulative(weights: tuple[float, ...] | list[float]) -> list[float]:
    total = float(sum(weights))
    acc, out = 0.0, []
    for w in weights:
        acc += w
        out.append(acc / total)
    out[-1] = 1.0
    return out


HOUR_CDF = _cumulative(HOUR_WEIGHTS)


class Clock:
    """The portal clock: as-of instant, window start and fast ISO formatting."""

    def __init__(self, as_of: str = DEFAULT_AS_OF) -> None:
        moment = datetime.fromisoformat(as_of)
        if moment.tzinfo is None:
            raise ValueError("as_of needs a UTC offset, e.g. 2026-11-20T18:00:00+03:00")
        self.as_of_text = moment.isoformat()
        offset = moment.utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        self.offset_text = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        self.base_date: date = moment.date() - timedelta(days=HISTORY_DAYS)
        base = datetime(self.base_date.year, self.base_date.month, self.base_date.day,
                        tzinfo=moment.tzinfo)
        self.now = int((moment - base).total_seconds())
        self.base_unix = int(base.timestamp())
        self.history_days = HISTORY_DAYS + 1  # the as-of day is partly inside the window
        first = self.base_date - timedelta(days=PAST_DAYS)
        span = PAST_DAYS + HISTORY_DAYS + FUTURE_DAYS + 1
        self._span = span
        days = [first + timedelta(days=i) for i in range(span)]
        self._prefix = [d.isoformat() + "T" for d in days]
        self._date_only = [p + "00:00:00" + self.offset_text for p in self._prefix]
        self._hms = [
            f"{h:02d}:{m:02d}:{s:02d}{self.offset_text}"
            for h in range(24) for m in range(60) for s in range(60)
        ]
        self._weekday0 = self.base_date.weekday()
        self._month = [d.month for d in days]
        self._year = [d.year for d in days]

    def iso(self, t: int) -> str:
        """`YYYY-MM-DDTHH:MM:SS+03:00` for portal time `t`."""
        q, r = divmod(t, DAY)
        q += PAST_DAYS
        if 0 <= q < self._span:
            return self._prefix[q] + self._hms[r]
        return self._far_day(t) + "T" + self._hms[r]

    def iso_date(self, t: int) -> str:
        """A date field as the API returns it: the day at midnight, with the offset."""
        q = t // DAY + PAST_DAYS
        if 0 <= q < self._span:
            return self._date_only[q]
        return self._far_day(t) + "T00:00:00" + self.offset_text

    def _far_day(self, t: int) -> str:
        """Days outside the lookup tables (birthdays): rare, so plain date arithmetic."""
        return (self.base_date + timedelta(days=t // DAY)).isoformat()

    def day_text(self, t: int) -> str:
        """Plain `YYYY-MM-DD`."""
        return self._prefix[t // DAY + PAST_DAYS][:-1]

    def weekday(self, day: int) -> int:
        return (self._weekday0 + day) % 7

    def month(self, day: int) -> int:
        return self._month[day + PAST_DAYS]

    def month_index(self, day: int) -> int:
        """Months since the window start (0-based), for per-month lookups."""
        y, m = self._year[day + PAST_DAYS], self._month[day + PAST_DAYS]
        return (y - self.base_date.year) * 12 + (m - self.base_date.month)

    def seconds_from_datetime(self, moment: datetime) -> int:
        base = datetime(self.base_date.year, self.base_date.month, self.base_date.day,
                        tzinfo=moment.tzinfo)
        return int((moment - base).total_seconds())


def random_second_of_day(r: random.Random) -> int:
    """A second of the day distributed like CRM work (peaks late morning and afternoon)."""
    hour = bisect.bisect_left(HOUR_CDF, r.random())
    return hour * 3600 + int(r.random() * 3600)


def work_time_after(t: int, r: random.Random) -> int:
    """`t` moved forward into working hours (09:00-20:00) if it falls at night."""
    sec = t % DAY
    if sec < 9 * 3600:
        return t - sec + 9 * 3600 + int(r.random() * 7200)
    if sec >= 20 * 3600:
        return t - sec + DAY + 9 * 3600 + int(r.random() * 7200)
    return t


def day_weights(clock: Clock, trend: float = 0.45, holiday_dip: bool = True) -> list[float]:
    """Relative number of new records per day over the window: seasonality x weekday x growth.

    `trend` is the relative growth of the business from the first to the last day.
    """
    n = clock.history_days
    out = []
    for d in range(n):
        w = MONTH_WEIGHTS[clock.month(d) - 1] * WEEKDAY_WEIGHTS[clock.weekday(d)]
        w *= 1.0 + trend * d / max(1, n - 1)
        if holiday_dip:
            day_text = clock._prefix[d + PAST_DAYS]
            if day_text[5:7] == "01" and int(day_text[8:10]) <= 8:
                w *= 0.25  # New Year holidays
        out.append(w)
    out[-1] *= (clock.now % DAY) / DAY  # the as-of day is only partly over
    return out


def creation_times(n: int, weights: list[float], clock: Clock, r: random.Random) -> array:
    """Non-decreasing creation times for ids 1..n (index 0 unused): ids are autoincrement, so
    a record's id order is its creation order, as in a real portal."""
    total = float(sum(weights))
    out = array("q", [0]) * (n + 1)
    acc = 0.0
    done = 0
    last_day = len(weights) - 1
    limit_last = clock.now % DAY
    pos = 1
    for d, w in enumerate(weights):
        acc += w
        upto = n if d == last_day else min(n, int(round(n * acc / total)))
        k = upto - done
        if k <= 0:
            continue
        done = upto
        base = d * DAY
        limit = limit_last if d == last_day else DAY
        secs = []
        for _ in range(k):
            s = random_second_of_day(r)
            while s >= limit:
                s = random_second_of_day(r)
            secs.append(s)
        secs.sort()
        for s in secs:
            out[pos] = base + s
            pos += 1
    return out


def ids_created_by(times: array, t: int) -> int:
    """Largest id whose creation time is <= t (0 if none)."""
    return bisect.bisect_right(times, t, 1) - 1
