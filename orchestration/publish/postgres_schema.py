"""Publishing on PostgreSQL: BI reads schema `marts`; dbt builds `marts_build` (DESIGN.md §4, docs/bi.md).

dbt keeps building its own schema, `marts_build`, where the incremental marts find their state from
the last build (renaming it to `marts` would leave the next incremental build a stale copy). Publish
copies the build's marts into a fresh schema and renames it to `marts` in one transaction:

- the copy holds SHARE locks on the build's tables and on quality.dbt_builds, so no build starts or
  changes a table while it is copied (waiting at most LOCK_TIMEOUT per try, with retries);
- the swap renames `marts` to `marts_previous` and the new schema to `marts`; renaming a schema takes
  no lock a reader holds, so a BI query running on the old tables finishes on them, and the next query
  sees the new ones, all of them at once;
- the version before `marts_previous` is renamed away, then dropped with a lock timeout: a BI query
  still reading it makes the drop wait and retry (and, past its retries, leave it for the next
  publish); it never breaks the query nor the publish.

BI roles are members of BI_GROUP, which each publish grants USAGE on the new schema and SELECT on its
tables before the swap, so their grants survive every swap; they get nothing else.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

import psycopg2
from psycopg2 import errors, sql

from orchestration.publish.readiness import PublishRefused, Verdict, publish_verdict

BUILD = "marts_build"
PUBLISHED = "marts"
PREVIOUS = "marts_previous"
NEXT = "marts_next"
RETIRED_PREFIX = "marts_retired_"
BI_GROUP = "crm_bi_readers"
LOCK_TIMEOUT = "5s"
RETRIES = 12


@dataclass
class SchemaPublication:
    verdict: Verdict
    tables: int
    rows: int
    seconds: float
    waited_seconds: float  # time lost to lock timeouts (a running build, a BI query on a retired schema)
    retired_left: list[str]  # old versions still read by someone, dropped by a later publish


def publish_schema(dsn: str, progress=lambda message: None) -> SchemaPublication:
    started = time.monotonic()
    connection = psycopg2.connect(dsn)
    try:
        try:
            verdict, tables, rows, waited = _with_retries(connection, lambda: _copy_and_swap(connection, progress))
        except errors.LockNotAvailable:
            raise PublishRefused(f"{BUILD} or quality.dbt_builds stayed locked through {RETRIES} tries (a build or "
                                 "load is running): publish after it finishes") from None
        waited_drop, left = _drop_retired(connection)
    finally:
        connection.close()
    return SchemaPublication(verdict, tables, rows, time.monotonic() - started, waited + waited_drop, left)


def rollback_schema(dsn: str) -> str:
    """Swap `marts` and `marts_previous` back; returns the comment of the schema now published."""
    connection = psycopg2.connect(dsn)
    try:
        def swap():
            with connection.cursor() as cursor:
                cursor.execute(f"set local lock_timeout = '{LOCK_TIMEOUT}'")
                if not _schema_exists(cursor, PREVIOUS):
                    raise PublishRefused(f"no earlier published version (schema {PREVIOUS}) to roll back to")
                cursor.execute(f"alter schema {PUBLISHED} rename to {NEXT}; "
                               f"alter schema {PREVIOUS} rename to {PUBLISHED}; "
                               f"alter schema {NEXT} rename to {PREVIOUS}")
                cursor.execute("select obj_description(%s::regnamespace, 'pg_namespace')", (PUBLISHED,))
                return cursor.fetchone()[0] or ""
        try:
            return _with_retries(connection, swap)[0]
        except errors.LockNotAvailable:
            raise PublishRefused(f"schemas {PUBLISHED} and {PREVIOUS} stayed locked through {RETRIES} tries") from None
    finally:
        connection.close()


def create_bi_role(dsn: str, role: str, password: str | None) -> None:
    """A login role that reads the published marts and nothing else, through BI_GROUP (kept across swaps).
    Read-only twice over: it is granted SELECT only, and its sessions are read-only by default."""
    connection = psycopg2.connect(dsn)
    try:
        with connection, connection.cursor() as cursor:
            group, name = sql.Identifier(BI_GROUP), sql.Identifier(role)
            if not _role_exists(cursor, BI_GROUP):
                cursor.execute(sql.SQL("create role {} nologin").format(group))
            verb = "alter" if _role_exists(cursor, role) else "create"
            cursor.execute(sql.SQL(verb + " role {} login").format(name))  # no superuser, createdb, createrole
            if password:
                cursor.execute(sql.SQL("alter role {} password %s").format(name), (password,))
            cursor.execute(sql.SQL("grant {} to {}").format(group, name))
            cursor.execute(sql.SQL("alter role {} set default_transaction_read_only = on").format(name))
            cursor.execute(sql.SQL("alter role {} set search_path = {}").format(name, sql.Identifier(PUBLISHED)))
            cursor.execute(sql.SQL("grant connect on database {} to {}").format(
                sql.Identifier(connection.info.dbname), name))
            if _schema_exists(cursor, PUBLISHED):
                _grant_readers(cursor, PUBLISHED)
    finally:
        connection.close()


def bi_roles(dsn: str) -> list[str]:
    connection = psycopg2.connect(dsn)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("select member::regrole::text from pg_auth_members "
                           "where roleid = (select oid from pg_roles where rolname = %s) order by 1", (BI_GROUP,))
            return [row[0] for row in cursor.fetchall()]
    finally:
        connection.close()


def _copy_and_swap(connection, progress) -> tuple[Verdict, int, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"set local lock_timeout = '{LOCK_TIMEOUT}'")
        if not _schema_exists(cursor, BUILD):
            raise PublishRefused(f"the warehouse has no schema {BUILD}: run `crm-warehouse transform` first")
        cursor.execute("select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                       "where n.nspname = %s and c.relkind in ('r', 'v', 'm', 'p') order by 1", (BUILD,))
        relations = cursor.fetchall()
        # no build starts (its on-run-start inserts into dbt_builds) nor rewrites a table while we copy
        locked = [sql.Identifier(BUILD, name) for name, kind in relations if kind in ("r", "p")]
        if _table_exists(cursor, "quality", "dbt_builds"):
            locked.append(sql.Identifier("quality", "dbt_builds"))
        if locked:
            cursor.execute(sql.SQL("lock table {} in share mode").format(sql.SQL(", ").join(locked)))

        def query(text: str) -> list[tuple]:
            cursor.execute(text)
            return cursor.fetchall()

        verdict = publish_verdict(query)
        catalog = _catalog(cursor)
        cursor.execute(f"drop schema if exists {NEXT} cascade; create schema {NEXT}")
        rows = 0
        for name, kind in relations:
            source, target = sql.Identifier(BUILD, name), sql.Identifier(NEXT, name)
            if kind in ("r", "p"):
                cursor.execute(sql.SQL("create table {} (like {} including all)").format(target, source))
                cursor.execute(sql.SQL("insert into {} select * from {}").format(target, source))
            else:  # a view or materialized view is published as a table of its rows
                cursor.execute(sql.SQL("create table {} as select * from {}").format(target, source))
            rows += cursor.rowcount
            progress(f"{name}: {cursor.rowcount:,} rows")
        _comment(cursor, catalog, {name for name, _ in relations})
        stamp = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        note = f"published {stamp} from dbt build {verdict.dbt_invocation_id}" + (
            f", marts gate run {verdict.marts_gate_run_id}" if verdict.marts_gate_run_id else "")
        cursor.execute(sql.SQL("comment on schema {} is {}").format(sql.Identifier(NEXT), sql.Literal(note)))
        if _role_exists(cursor, BI_GROUP):
            _grant_readers(cursor, NEXT)
        # the swap: the version two back is renamed away (no lock), the current one kept for rollback
        if _schema_exists(cursor, PREVIOUS):
            retired = RETIRED_PREFIX + datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d%H%M%S%f")
            cursor.execute(sql.SQL("alter schema {} rename to {}").format(sql.Identifier(PREVIOUS),
                                                                         sql.Identifier(retired)))
        if _schema_exists(cursor, PUBLISHED):
            cursor.execute(f"alter schema {PUBLISHED} rename to {PREVIOUS}")
        cursor.execute(f"alter schema {NEXT} rename to {PUBLISHED}")
    return verdict, len(relations), rows


def _drop_retired(connection) -> tuple[float, list[str]]:
    """Drop the retired versions; one a BI query still reads waits for it (lock timeout, retries), and
    is left for the next publish when the query outlasts the retries."""
    with connection, connection.cursor() as cursor:
        cursor.execute("select nspname from pg_namespace where nspname like %s order by 1", (RETIRED_PREFIX + "%",))
        retired = [row[0] for row in cursor.fetchall()]
    waited, left = 0.0, []
    for schema in retired:
        def drop(schema=schema):
            with connection.cursor() as cursor:
                cursor.execute(f"set local lock_timeout = '{LOCK_TIMEOUT}'")
                cursor.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))
        started = time.monotonic()
        try:
            _with_retries(connection, drop, retries=2)
        except errors.LockNotAvailable:
            left.append(schema)
        # a drop that went through at once took no wait worth reporting; one that timed out did
        waited += time.monotonic() - started if schema in left or time.monotonic() - started > 0.1 else 0.0
    return waited, left


def _with_retries(connection, work, retries: int = RETRIES):
    """Runs `work` in one transaction, again after a lock timeout (with a growing pause). Returns
    (its result..., seconds lost waiting)."""
    waited = 0.0
    for attempt in range(retries + 1):
        started = time.monotonic()
        try:
            with connection:
                result = work()
            return (*result, waited) if isinstance(result, tuple) else (result, waited)
        except errors.LockNotAvailable:
            waited += time.monotonic() - started
            if attempt == retries:
                raise
            pause = min(2.0 * (attempt + 1), 10.0)
            time.sleep(pause)
            waited += pause
    raise AssertionError("unreachable")


def _catalog(cursor) -> dict[tuple[str, str | None], str]:
    if not _table_exists(cursor, "quality", "marts_catalog"):
        return {}
    cursor.execute("select table_name, column_name, description from quality.marts_catalog "
                   "where description is not null")
    return {(table, column): description for table, column, description in cursor.fetchall()}


def _comment(cursor, catalog, tables: set[str]) -> None:
    """COMMENT ON the new schema's tables and columns from dbt docs (quality.marts_catalog)."""
    cursor.execute("select table_name, column_name from information_schema.columns where table_schema = %s",
                   (NEXT,))
    columns = set(cursor.fetchall())
    for (table, column), description in catalog.items():
        if column is None and table in tables:
            cursor.execute(sql.SQL("comment on table {} is {}").format(sql.Identifier(NEXT, table),
                                                                       sql.Literal(description)))
        elif (table, column) in columns:
            cursor.execute(sql.SQL("comment on column {} is {}").format(sql.Identifier(NEXT, table, column),
                                                                        sql.Literal(description)))


def _grant_readers(cursor, schema: str) -> None:
    cursor.execute(sql.SQL("grant usage on schema {0} to {1}; grant select on all tables in schema {0} to {1}")
                   .format(sql.Identifier(schema), sql.Identifier(BI_GROUP)))


def _schema_exists(cursor, schema: str) -> bool:
    cursor.execute("select 1 from pg_namespace where nspname = %s", (schema,))
    return cursor.fetchone() is not None


def _table_exists(cursor, schema: str, table: str) -> bool:
    cursor.execute("select to_regclass(%s) is not null", (f'"{schema}"."{table}"',))
    return cursor.fetchone()[0]


def _role_exists(cursor, role: str) -> bool:
    cursor.execute("select 1 from pg_roles where rolname = %s", (role,))
    return cursor.fetchone() is not None
