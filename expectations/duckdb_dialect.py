"""A duckdb-engine dialect whose results outlive their connection, so Great Expectations' SQL path works.

GE's `SqlAlchemyExecutionEngine.execute_query()` returns a result from inside `with engine.connect()`;
closing that connection rolls back, and duckdb-engine's DBAPI cursor is the DuckDB connection itself,
so the pending rows are discarded and a later `fetchall()` returns `[]` (GE issues #10738, #11579).
psycopg2 buffers rows on the client, which is why PostgreSQL works. This dialect does the same: once a
statement that returns rows has run, its rows are fetched into SQLAlchemy's fully buffered strategy
(the one it uses for RETURNING after autocommit). GE's queries return metric values, not tables, so
only small results are buffered; the tables are read by DuckDB in SQL.

Connections are not pooled, so nothing keeps the file open once GE is done.
Registered as the SQLAlchemy dialect `duckdb.buffered`: `duckdb+buffered:////path/warehouse.duckdb`.
"""

from __future__ import annotations

from duckdb_engine import Dialect as DuckDBDialect
from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.engine import cursor as _cursor

URL_SCHEME = "duckdb+buffered"


class BufferedExecutionContext(DuckDBDialect.execution_ctx_cls):  # type: ignore[name-defined, misc]
    def post_exec(self) -> None:
        super().post_exec()
        description = self.cursor.description
        if description is not None:
            self.cursor_fetch_strategy = _cursor.FullyBufferedCursorFetchStrategy(self.cursor, description)


class BufferedDuckDBDialect(DuckDBDialect):
    driver = "buffered"
    execution_ctx_cls = BufferedExecutionContext
    supports_statement_cache = False

    @classmethod
    def get_pool_class(cls, url):  # noqa: ANN001, ANN206 - SQLAlchemy's signature
        """No pool: a connection closes when released. DuckDB opens in microseconds, and a pooled one
        would keep the file open with this engine's settings, so the process's next writer (dlt,
        dbt-duckdb) could not open it with its own (stack notes P3)."""
        return pool.NullPool


def register() -> None:
    """Makes `duckdb+buffered://` URLs resolve to this dialect (idempotent)."""
    registry.register("duckdb.buffered", __name__, "BufferedDuckDBDialect")


register()
