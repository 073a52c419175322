"""The publish step: what `crm-warehouse publish`, the main job and the Dagster publish asset call."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.warehouse import WarehouseConfig


@dataclass(frozen=True)
class PublishResult:
    engine: str  # duckdb | postgres
    location: str  # the published file, or the schema
    connect: str  # how BI tools connect (no password)
    note: str  # what was checked before publishing
    seconds: float
    size_bytes: int | None  # the published file's size (DuckDB)
    summary: str  # what was copied

    def lines(self) -> list[str]:
        size = f", {self.size_bytes / 2**20:,.1f} MiB" if self.size_bytes is not None else ""
        return [f"publish: {self.note}",
                f"publish: {self.summary} in {self.seconds:.1f} s{size}",
                f"BI reads {self.location}: {self.connect}"]


def built_marts_schema(warehouse: WarehouseConfig) -> str:
    """The schema dbt builds the marts into (what the marts gate checks): `marts` in the pipeline's
    DuckDB file, `marts_build` on PostgreSQL, where `marts` is the published copy BI reads."""
    from orchestration.publish.postgres_schema import BUILD

    return "marts" if warehouse.destination == "duckdb" else BUILD


def publish_marts(warehouse: WarehouseConfig, progress=lambda message: None) -> PublishResult:
    """Make the newest green, gated build's marts what BI reads, at once; PublishRefused says why not."""
    if warehouse.destination == "duckdb":
        from orchestration.publish.duckdb_file import PublishedFiles, publish_file

        published = publish_file(warehouse.resolved_duckdb_path(), warehouse.resolved_published_dir(), progress)
        counts: dict[str, int] = {}
        for table in published.tables:
            counts[table.how] = counts.get(table.how, 0) + 1
        changed = sum(table.changed_rows for table in published.tables)
        summary = (f"{len(published.tables)} marts ({', '.join(f'{n} {how}' for how, n in sorted(counts.items()))}; "
                   f"{changed:,} rows written) into {published.version.name}")
        current = PublishedFiles(warehouse.resolved_published_dir()).current
        return PublishResult("duckdb", str(current.resolve()), duckdb_connection_help(current), published.verdict.note,
                             published.seconds, published.size_bytes, summary)
    from orchestration.publish.postgres_schema import PUBLISHED, publish_schema

    warehouse.postgres()  # a malformed DSN: WarehouseConfigError naming the setting
    published = publish_schema(warehouse.resolved_postgres_dsn(), progress)
    waited = f"; waited {published.waited_seconds:.1f} s for locks" if published.waited_seconds >= 0.1 else ""
    left = f"; {len(published.retired_left)} old version(s) still read, dropped later" if published.retired_left else ""
    return PublishResult("postgres", f"schema {PUBLISHED}", postgres_connection_help(warehouse),
                         published.verdict.note, published.seconds, None,
                         f"{published.tables} marts ({published.rows:,} rows) swapped in{waited}{left}")


def rollback(warehouse: WarehouseConfig) -> str:
    """Put the previously published version back; returns which one. PublishRefused when there is none."""
    if warehouse.destination == "duckdb":
        from orchestration.publish.duckdb_file import rollback_file

        version = rollback_file(warehouse.resolved_published_dir())
        return f"rolled back: BI reads {version.name} again ({warehouse.resolved_published_dir()})"
    from orchestration.publish.postgres_schema import rollback_schema

    warehouse.postgres()
    return f"rolled back: schema marts is again the version {rollback_schema(warehouse.resolved_postgres_dsn())}"


def duckdb_connection_help(path) -> str:
    absolute = path.resolve()
    return (f"duckdb:///{absolute}?access_mode=read_only (SQLAlchemy/duckdb-engine), "
            f"duckdb.connect('{absolute}', read_only=True)")


def postgres_connection_help(warehouse: WarehouseConfig) -> str:
    from orchestration.publish.postgres_schema import bi_roles

    dsn = warehouse.postgres()
    roles = bi_roles(warehouse.resolved_postgres_dsn())
    role = roles[0] if roles else "<bi role>"
    hint = "" if roles else " (create one: crm-warehouse publish --create-bi-role NAME)"
    return f"postgresql://{role}@{dsn.host}:{dsn.port}/{dsn.database} (schema marts){hint}"
