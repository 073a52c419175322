"""A throwaway PostgreSQL server for tests: ``with TemporaryPostgres() as pg: connect(pg.dsn)``.

Uses the server binaries of the machine (``/usr/lib/postgresql/<newest>/bin`` or ``PATH``; install them with
``.ci/install_postgres.sh``). Each instance runs ``initdb`` in a fresh temporary directory, starts ``postgres``
on a free TCP port of 127.0.0.1 only (trust authentication, durability off), creates one database and
deletes everything on exit. PostgreSQL refuses to run as root: as root, the server runs as the ``postgres``
system user (or ``nobody``) and the directory belongs to that user.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2

# pg_ctl is not needed: the server runs as our child process and stops on SIGQUIT (= pg_ctl stop -m immediate).
SERVER_BINARIES = ("initdb", "postgres")
UNPRIVILEGED_USERS = ("postgres", "nobody")


class PostgresError(RuntimeError):
    """The throwaway server could not be created or started (the message carries the server's log)."""


@dataclass(frozen=True)
class Installation:
    bindir: Path
    version: str  # e.g. "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"

    def binary(self, name: str) -> str:
        return str(self.bindir / name)


def _version_key(bindir: str) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin -> numeric version, so that 16 sorts after 9.6.
    return tuple(int(part) for part in re.findall(r"\d+", Path(bindir).parent.name))


def _candidate_bindirs() -> list[Path]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    dirs = [Path(d) for d in found]
    on_path = shutil.which("initdb")
    if on_path:
        dirs.append(Path(os.path.realpath(on_path)).parent)
    return dirs


def _server_user() -> pwd.struct_passwd | None:
    """The account the server runs as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_USERS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresError(f"running as root and none of the users {UNPRIVILEGED_USERS} exists to run PostgreSQL")


@functools.lru_cache(maxsize=1)
def find_installation() -> Installation:
    """The newest PostgreSQL server installation; PostgresError says why there is none."""
    for bindir in _candidate_bindirs():
        if all(os.access(bindir / name, os.X_OK) for name in SERVER_BINARIES):
            out = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True,
                                 timeout=30, check=False)
            if out.returncode == 0:
                return Installation(bindir, out.stdout.strip())
    raise PostgresError(
        "PostgreSQL server binaries (initdb, postgres) not found in /usr/lib/postgresql/*/bin or on "
        "PATH; install them with `.ci/install_postgres.sh` (Debian package `postgresql`)")


def postgres_available() -> tuple[bool, str]:
    """(True, version) when a throwaway server can be started here, else (False, the reason)."""
    try:
        installation = find_installation()
        _server_user()
    except PostgresError as error:
        return False, str(error)
    return True, f"{installation.version} in {installation.bindir}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


class TemporaryPostgres:
    """A PostgreSQL cluster living as long as the ``with`` block (or between ``start()`` and ``stop()``)."""

    def __init__(self, database: str = "warehouse", user: str = "loader", *, start_timeout: float = 30.0,
                 extra_settings: dict[str, str] | None = None) -> None:
        self.database = database
        self.user = user
        self.start_timeout = start_timeout
        self.extra_settings = dict(extra_settings or {})
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.directory: Path | None = None
        self.process: subprocess.Popen | None = None

    # -- public API -------------------------------------------------------------------------------------
    @property
    def dsn(self) -> str:
        self._require_running()
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    def connection_params(self) -> dict[str, object]:
        """Keyword arguments for psycopg2.connect (and similar clients)."""
        self._require_running()
        return {"host": self.host, "port": self.port, "user": self.user, "dbname": self.database}

    def __enter__(self) -> TemporaryPostgres:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        if self.process is not None:
            raise PostgresError("already started")
        installation = find_installation()
        account = _server_user()
        self.directory = Path(tempfile.mkdtemp(prefix="pgtest-", dir=self._base_directory(account)))
        try:
            if account is not None:
                os.chown(self.directory, account.pw_uid, account.pw_gid)
            self._initdb(installation, account)
            for attempt in range(3):  # another process may take the free port before postgres binds it
                self.port = _free_port()
                try:
                    self._start_server(installation, account)
                    break
                except PostgresError as error:
                    port_taken = "could not bind" in str(error) or "in use" in str(error)
                    if attempt == 2 or not port_taken:
                        raise
            self._create_database()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Immediate shutdown (the data is thrown away anyway) and removal of the directory. Idempotent."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGQUIT)  # = pg_ctl stop -m immediate
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        directory, self.directory = self.directory, None
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)

    # -- internals --------------------------------------------------------------------------------------
    def _require_running(self) -> None:
        if self.process is None:
            raise PostgresError("the server is not running (use `with TemporaryPostgres() as pg:`)")

    @staticmethod
    def _base_directory(account: pwd.struct_passwd | None) -> str:
        # The server user must be able to reach its directory: as root, the temporary directory may be
        # private (e.g. TMPDIR under /root), then use /tmp. Short paths keep the socket path legal too.
        base = tempfile.gettempdir()
        if account is None:
            return base
        path = Path(base)
        reachable = all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])
        return base if reachable else "/tmp"

    def _run_kwargs(self, account: pwd.struct_passwd | None) -> dict[str, object]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")
        kwargs: dict[str, object] = {"cwd": str(self.directory), "env": env}
        if account is not None:  # as root: drop to the unprivileged account (runuser/setpriv equivalent)
            env.update(HOME=str(self.directory), USER=account.pw_name, LOGNAME=account.pw_name)
            kwargs.update(user=account.pw_uid, group=account.pw_gid, extra_groups=[])
        return kwargs

    def _initdb(self, installation: Installation, account: pwd.struct_passwd | None) -> None:
        command = [installation.binary("initdb"), "-D", str(self.directory / "data"), "-A", "trust",
                   "-U", self.user, "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False,
                                **self._run_kwargs(account))
        if result.returncode != 0:
            raise PostgresError(f"initdb failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")

    def _start_server(self, installation: Installation, account: pwd.struct_passwd | None) -> None:
        settings = {
            "port": str(self.port), "listen_addresses": self.host,
            "unix_socket_directories": str(self.directory),
            "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
            **self.extra_settings,
        }
        command = [installation.binary("postgres"), "-D", str(self.directory / "data")]
        for name, value in settings.items():
            command += ["-c", f"{name}={value}"]
        log = open(self.directory / "server.log", "ab")  # noqa: SIM115 - handed to the child
        try:
            # Own session: a Ctrl-C in the terminal reaches pytest (which then stops us), not postgres.
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                            start_new_session=True, **self._run_kwargs(account))
        finally:
            log.close()
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.process.poll() is not None:
                self.process = None
                raise PostgresError(f"postgres exited at start-up:\n{self._log_tail()}")
            try:
                psycopg2.connect(host=self.host, port=self.port, user=self.user, dbname="postgres",
                                 connect_timeout=2).close()
                return
            except psycopg2.OperationalError as error:
                if time.monotonic() > deadline:
                    raise PostgresError(f"postgres did not accept connections within {self.start_timeout}s "
                                        f"({error}):\n{self._log_tail()}") from error
                time.sleep(0.05)

    def _create_database(self) -> None:
        connection = psycopg2.connect(host=self.host, port=self.port, user=self.user, dbname="postgres")
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{self.database}"')
        finally:
            connection.close()

    def _log_tail(self, lines: int = 30) -> str:
        if self.directory is None:
            return ""
        try:
            text = (self.directory / "server.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])
