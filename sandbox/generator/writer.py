"""Streaming output: records go to per-task part files, parts are joined into fixture files.

Fixture files are JSON arrays with one compact record per line (`[\n{..},\n{..}\n]\n`), so a
server can stream them and a human can `head` them. Rendering tasks never hold a whole file: each
appends its lines to its own part file (named so that sorting the names gives the final order),
and the parts of a file are concatenated by the kernel (`copy_file_range`) at the end.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Iterable

import orjson

PARTS_DIR = ".parts"
FLUSH_LINES = 4096


class PartSink:
    """Lines of one rendering task, buffered per target file and flushed to part files."""

    def __init__(self, parts_dir: Path, order: str) -> None:
        self.parts_dir = parts_dir
        self.order = order  # sorts the parts of each file into their final place
        self.buffers: dict[str, list[bytes]] = {}
        self.counts: dict[str, int] = {}
        self.handles: dict[str, Any] = {}

    def add(self, file: str, record: dict) -> None:
        buf = self.buffers.get(file)
        if buf is None:
            buf = self.buffers[file] = []
        buf.append(orjson.dumps(record))
        if len(buf) >= FLUSH_LINES:
            self._flush(file)

    def add_line(self, file: str, line: bytes) -> None:
        buf = self.buffers.get(file)
        if buf is None:
            buf = self.buffers[file] = []
        buf.append(line)
        if len(buf) >= FLUSH_LINES:
            self._flush(file)

    def _flush(self, file: str) -> None:
        buf = self.buffers.get(file)
        if not buf:
            return
        handle = self.handles.get(file)
        if handle is None:
            handle = self.handles[file] = open(
                self.parts_dir / f"{file}.{self.order}.part", "wb")
        done = self.counts.get(file, 0)
        if done:
            handle.write(b",\n")
        handle.write(b",\n".join(buf))
        self.counts[file] = done + len(buf)
        buf.clear()

    def close(self) -> dict[str, int]:
        """Flush everything; returns records written per file."""
        for file in list(self.buffers):
            self._flush(file)
        for handle in self.handles.values():
            handle.close()
        return dict(self.counts)


def _copy_into(dst_fd: int, src: Path) -> None:
    size = src.stat().st_size
    with open(src, "rb") as fh:
        copied = 0
        if hasattr(os, "copy_file_range"):
            try:
                while copied < size:
                    n = os.copy_file_range(fh.fileno(), dst_fd, size - copied)
                    if n == 0:
                        break
                    copied += n
            except OSError:
                pass
        if copied < size:
            fh.seek(copied)
            while True:
                chunk = fh.read(1 << 22)
                if not chunk:
                    break
                os.write(dst_fd, chunk)


def assemble(parts_dir: Path, out_path: Path, file: str) -> None:
    """Join the parts of `file` (in name order) into the final JSON array; parts are removed."""
    parts = sorted(p for p in parts_dir.glob(f"{file}.*.part"))
    fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, b"[\n")
        first = True
        for part in parts:
            if part.stat().st_size == 0:
                part.unlink()
                continue
            if not first:
                os.write(fd, b",\n")
            _copy_into(fd, part)
            first = False
            part.unlink()
        os.write(fd, b"]\n" if first else b"\n]\n")
    finally:
        os.close(fd)


def write_array(path: Path, records: Iterable[dict]) -> int:
    """A small fixture file written in one go (same one-record-per-line layout)."""
    lines = [orjson.dumps(r) for r in records]
    with open(path, "wb") as fh:
        fh.write(b"[\n" + b",\n".join(lines) + (b"\n]\n" if lines else b"]\n"))
    return len(lines)


def write_object(path: Path, obj: Any) -> None:
    """A JSON object file (`portal.json`, `crm.*.fields.json`), indented for reading."""
    path.write_bytes(orjson.dumps(obj, option=orjson.OPT_INDENT_2) + b"\n")


def clean_parts(parts_dir: Path) -> None:
    shutil.rmtree(parts_dir, ignore_errors=True)
