"""Where raw data lands: DuckDB at data/warehouse.duckdb by default, PostgreSQL by configuration.

dlt's own conventions apply: `DESTINATION__DUCKDB__CREDENTIALS` (a file path) and
`DESTINATION__POSTGRES__CREDENTIALS` (a DSN) are read from the environment or .dlt/secrets.toml.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from urllib.parse import unquote, urlsplit

import dlt
from dlt.common.configuration import configspec
from dlt.common.typing import TSecretStrValue
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials
from dlt.destinations.impl.postgres.configuration import PostgresClientConfiguration, PostgresCredentials

RAW_DATASET = "raw_bitrix24"
DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")
DEFAULT_PIPELINES_DIR = Path("data/.dlt/pipelines")
POSTGRES_DSN_SETTING = "--postgres-dsn / DESTINATION__POSTGRES__CREDENTIALS"


class WarehouseConfigError(ValueError):
    """A warehouse setting is missing or malformed; the message is one line naming the setting."""


@dataclass(frozen=True)
class PostgresDsn:
    """The parts of a PostgreSQL DSN. No password means libpq's own lookup: PGPASSWORD, ~/.pgpass,
    or none at all (trust or peer authentication)."""

    host: str
    port: int
    user: str
    database: str
    password: str | None

    @classmethod
    def parse(cls, dsn: str | None) -> PostgresDsn:
        if not dsn:
            raise WarehouseConfigError(f"{POSTGRES_DSN_SETTING} is not set: the postgres destination needs "
                                       "postgresql://user[:password]@host[:port]/database")
        parts = urlsplit(dsn)
        redacted = redact_dsn(dsn)
        if parts.scheme not in ("postgresql", "postgres"):
            raise WarehouseConfigError(f"{POSTGRES_DSN_SETTING}: {redacted!r} is not a postgresql:// URL")
        try:
            port = parts.port or 5432
        except ValueError:
            raise WarehouseConfigError(f"{POSTGRES_DSN_SETTING}: {redacted!r} has a port that is not a number") from None
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise WarehouseConfigError(f"{POSTGRES_DSN_SETTING}: {redacted!r} names no database (…/database)")
        return cls(host=parts.hostname or "localhost", port=port, user=unquote(parts.username or "postgres"),
                   database=database, password=unquote(parts.password) if parts.password else None)

    def libpq_password(self) -> str:
        """The password for clients that cannot leave it out (dbt's profile): the DSN's, else PGPASSWORD;
        an empty one still lets libpq read ~/.pgpass."""
        return self.password if self.password is not None else os.environ.get("PGPASSWORD", "")


@configspec(init=False)
class PasswordOptionalPostgresCredentials(PostgresCredentials):
    """dlt's PostgreSQL credentials require a password (ConfigFieldMissingException plus a dump of
    every config provider for a DSN without one); psycopg2 does not: without a password in the URL,
    libpq uses PGPASSWORD, ~/.pgpass, or trust/peer authentication."""

    password: Optional[TSecretStrValue] = None  # noqa: UP045 - dlt's configspec reads the annotation


@configspec
class PasswordOptionalPostgresConfiguration(PostgresClientConfiguration):
    credentials: PasswordOptionalPostgresCredentials = None


class postgres_password_optional(dlt.destinations.postgres):  # noqa: N801 - dlt names its factories so
    """dlt's postgres destination resolving the credentials above (it resolves the spec's type, not the
    instance it was given)."""

    spec = PasswordOptionalPostgresConfiguration


def redact_dsn(dsn: str) -> str:
    return re.sub(r"//([^:/@]*):[^@]*@", r"//\1:***@", dsn)


@dataclass(frozen=True)
class WarehouseConfig:
    destination: str = "duckdb"  # duckdb | postgres
    duckdb_path: Path | None = None
    postgres_dsn: str | None = None
    pipelines_dir: Path = DEFAULT_PIPELINES_DIR
    published_dir: Path | None = None

    def resolved_duckdb_path(self) -> Path:
        return Path(self.duckdb_path or os.environ.get("DESTINATION__DUCKDB__CREDENTIALS") or DEFAULT_WAREHOUSE)

    def resolved_published_dir(self) -> Path:
        """Where BI's published DuckDB file lives: `published/` beside the warehouse file
        (data/published/), or CRM_WAREHOUSE_PUBLISHED_DIR."""
        configured = self.published_dir or os.environ.get("CRM_WAREHOUSE_PUBLISHED_DIR")
        return Path(configured) if configured else self.resolved_duckdb_path().parent / "published"

    def resolved_postgres_dsn(self) -> str:
        return self.postgres_dsn or os.environ.get("DESTINATION__POSTGRES__CREDENTIALS") or ""

    def postgres(self) -> PostgresDsn:
        """The PostgreSQL DSN's parts; WarehouseConfigError (one line naming the setting) when unusable."""
        return PostgresDsn.parse(self.resolved_postgres_dsn())

    def describe(self) -> str:
        """Where the data goes, without secrets."""
        if self.destination == "duckdb":
            return f"duckdb {self.resolved_duckdb_path()}"
        return "postgres " + redact_dsn(self.resolved_postgres_dsn())

    def destination_factory(self):
        if self.destination == "duckdb":
            path = self.resolved_duckdb_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            return dlt.destinations.duckdb(credentials=DuckDbCredentials(str(path), global_config=loader_settings(path)))
        if self.destination == "postgres":
            self.postgres()  # a malformed DSN stops here, in one line
            return postgres_password_optional(
                credentials=PasswordOptionalPostgresCredentials(self.resolved_postgres_dsn()))
        raise WarehouseConfigError(f"--destination / CRM_WAREHOUSE_DESTINATION: unknown destination "
                                   f"{self.destination!r}: use duckdb or postgres")


def loader_settings(path: Path) -> dict:
    """DuckDB settings of the loader. Merging millions of rows holds them all in memory while
    DuckDB keeps their insertion order (4.5 GiB for the four big tables of a large portal); without
    that order and with a cap, DuckDB streams and spills to disk next to the warehouse instead.
    `CRM_WAREHOUSE_LOADER_MEMORY` sets the cap."""
    return {
        "preserve_insertion_order": False,
        "memory_limit": os.environ.get("CRM_WAREHOUSE_LOADER_MEMORY", "3GB"),
        "temp_directory": str(path.parent / f".{path.stem}.tmp"),
    }


def pipeline_name(portal_id: str) -> str:
    """One pipeline (and so one incremental state) per portal."""
    return "bitrix24_" + re.sub(r"[^a-z0-9]+", "_", portal_id.lower()).strip("_")


def build_pipeline(portal_id: str, warehouse: WarehouseConfig) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=pipeline_name(portal_id),
        destination=warehouse.destination_factory(),
        dataset_name=RAW_DATASET,
        pipelines_dir=str(warehouse.pipelines_dir),
    )
