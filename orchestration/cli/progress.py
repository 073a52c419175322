"""Concise progress lines for long work: counts and rates, one line per update on a terminal."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, label: str, stream=sys.stderr, every: float = 1.0) -> None:
        self.label = label
        self.stream = stream
        self.every = every
        self.started = time.monotonic()
        self._last = 0.0
        self._tty = stream.isatty()

    def rows(self, what: str, count: int) -> None:
        now = time.monotonic()
        if now - self._last < self.every:
            return
        self._last = now
        rate = count / max(now - self.started, 1e-9)
        self._emit(f"{self.label}: {what} {count:,} rows ({rate:,.0f} rows/s)")

    def message(self, text: str) -> None:
        self._emit(f"{self.label}: {text}")

    def _emit(self, text: str) -> None:
        if self._tty:
            self.stream.write("\r\033[K" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def clear(self) -> None:
        """Take the last progress line off a terminal (a no-op in a log)."""
        if self._tty:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def done(self, text: str) -> None:
        if self._tty:
            self.stream.write("\r\033[K")
        self.stream.write(f"{self.label}: {text} in {time.monotonic() - self.started:.1f}s\n")
        self.stream.flush()
