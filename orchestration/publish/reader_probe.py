"""A BI reader for the tests and the bench: what a BI tool sees of the published DuckDB file while the
pipeline runs. `python -m orchestration.publish.reader_probe poll|hold FILE OUT STOP`:

- poll: every `--every` seconds opens a new read-only connection, reads the version and counts every
  published mart, closes it; records how long each took (the time a BI query waited), what it saw and
  any error;
- hold: opens one connection and keeps it, reading its version and counts again every second.

Each writes a JSON report to OUT when the file STOP appears. One process per mode: DuckDB shares one
database instance among the connections of a process, so a held connection would make the new ones
of the same process read its version too.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb


def snapshot(connection: duckdb.DuckDBPyConnection) -> dict:
    """The version a connection reads, and each mart's rows against the count the version recorded."""
    (version,) = connection.execute("select version from publication.version").fetchone()
    recorded = dict(connection.execute("select table_name, row_count from publication.tables").fetchall())
    present = [name for (name,) in connection.execute(
        "select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()]
    counts = {name: connection.execute(f'select count(*) from marts."{name}"').fetchone()[0] for name in present}
    return {"version": version, "missing": sorted(set(recorded) - set(present)),
            "wrong_counts": {name: [counts.get(name), rows] for name, rows in recorded.items()
                             if counts.get(name) != rows},
            "rows": sum(counts.values())}


def poll(path: str, stop: Path, every: float) -> list[dict]:
    polls = []
    while not stop.exists():
        started = time.monotonic()
        record: dict = {"at": time.time()}
        try:
            with duckdb.connect(path, read_only=True) as connection:
                record.update(snapshot(connection))
        except Exception as error:  # a BI tool would show this to its user: the test fails on it
            record["error"] = f"{type(error).__name__}: {error}"
        record["seconds"] = time.monotonic() - started
        polls.append(record)
        time.sleep(max(0.0, every - record["seconds"]))
    return polls


def hold(path: str, stop: Path, ready: Path) -> list[dict]:
    connection = duckdb.connect(path, read_only=True)
    reads = [{"at": time.time(), **snapshot(connection)}]
    ready.touch()
    while not stop.exists():
        time.sleep(1.0)
        try:
            reads.append({"at": time.time(), **snapshot(connection)})
        except Exception as error:
            reads.append({"at": time.time(), "error": f"{type(error).__name__}: {error}"})
    connection.close()
    return reads


def main(argv: list[str]) -> None:
    mode, path, out, stop = argv[:4]
    every = float(argv[4]) if len(argv) > 4 else 1.0
    if mode == "poll":
        Path(out + ".ready").touch()
        result = poll(path, Path(stop), every)
    else:
        result = hold(path, Path(stop), Path(out + ".ready"))
    Path(out).write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
