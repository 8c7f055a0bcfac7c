"""A throwaway PostgreSQL server for tests: `running_postgres` and the `postgres_url` fixture.

The server lives in a temporary folder, listens on 127.0.0.1 at a free port (and on a unix socket
in that folder), trusts loopback connections and runs with fsync off. PostgreSQL refuses to run as
root, so under root it runs as the `postgres` user (or `nobody`), which then owns the folder.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import pytest

#: The programs the server needs, all from PostgreSQL's own bin folder.
TOOLS = ("initdb", "pg_ctl", "postgres")
#: The database superuser's name (initdb's --username), whoever runs the server.
SUPERUSER = "postgres"
#: The database `running_postgres` creates and points its URL at.
DATABASE = "gradebook"
#: The URL scheme: SQLAlchemy 2.1 reads a bare ``postgresql://`` as psycopg 3, the course ships psycopg2.
SCHEME = "postgresql+psycopg2"
#: Settings appended to postgresql.conf: loopback only, and speed over durability.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}
#: Seconds any one step (initdb, start, stop) may take.
TIMEOUT_S = 60


class PostgresNotFound(RuntimeError):
    """PostgreSQL's server programs are not installed on this machine."""


def find_bindir() -> Path:
    """The folder holding `initdb`, `pg_ctl` and `postgres`.

    Looks at `pg_config --bindir`, then /usr/lib/postgresql/*/bin (newest first), then `PATH`.

    Raises:
        PostgresNotFound: if no folder holds all three.
    """
    candidates: list[Path] = []
    if pg_config := shutil.which("pg_config"):
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=TIMEOUT_S)
        if found.returncode == 0:
            candidates.append(Path(found.stdout.strip()))
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: _version_key(Path(p).parent.name), reverse=True)
    candidates += [Path(p) for p in versions]
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if all(os.access(folder / tool, os.X_OK) for tool in TOOLS):
            return folder
    raise PostgresNotFound(
        "PostgreSQL is not installed: no initdb/pg_ctl/postgres in `pg_config --bindir`, "
        "/usr/lib/postgresql/*/bin or PATH. Run `make system` as root, or install it yourself "
        "(`sudo apt-get install postgresql`, `brew install postgresql`)."
    )


def _version_key(name: str) -> tuple[int, ...]:
    """Sort key for version folder names such as ``15`` or ``9.6``; other names sort first."""
    try:
        return tuple(int(part) for part in name.split("."))
    except ValueError:
        return ()


def server_user() -> pwd.struct_passwd | None:
    """The unprivileged account to run the server as: `postgres`, else `nobody`; None unless root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("Running as root, but there is no `postgres` or `nobody` user to run PostgreSQL as.")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(command: list[str], user: pwd.struct_passwd | None, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``command`` as ``user`` (None: as ourselves), capturing its output.

    Python switches the child's uid, gid and groups before it starts the program, as
    ``setpriv --reuid --regid --clear-groups`` would, so neither setpriv nor runuser is needed.
    """
    as_user = {} if user is None else {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S + 30, **as_user)


def _failure(what: str, done: subprocess.CompletedProcess, log: Path | None = None) -> RuntimeError:
    """An error holding the failed command's output and the end of the server's log."""
    tail = log.read_text(errors="replace")[-3000:] if log and log.is_file() else ""
    return RuntimeError(f"{what} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}{tail}")


@contextmanager
def running_postgres(base: Path | None = None) -> Iterator[str]:
    """Run a fresh PostgreSQL server for as long as the ``with`` block lasts.

    Args:
        base: the folder to create the server's temporary folder in (default: the system's temp
            folder). Under root, the server's user must be able to reach it: pytest's own
            ``tmp_path`` is private to root, so leave the default there.

    Yields:
        ``postgresql+psycopg2://postgres@127.0.0.1:PORT/gradebook``, an empty database on the
        new server, for SQLAlchemy and so for nbgrader's ``db_url``.

    Raises:
        PostgresNotFound: if PostgreSQL is not installed.
        RuntimeError: if the server does not initialise or start (with its log).
    """
    bindir = find_bindir()
    user = server_user()
    folder = Path(tempfile.mkdtemp(prefix="postgres-", dir=base))
    data, log = folder / "data", folder / "server.log"
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data)]
    try:
        if user is not None:
            os.chown(folder, user.pw_uid, user.pw_gid)
        initdb = [str(bindir / "initdb"), "-D", str(data), "--username", SUPERUSER, "--auth", "trust",
                  "--encoding", "UTF8", "--locale", "C", "--no-sync"]
        if (done := _run(initdb, user, folder)).returncode != 0:
            raise _failure("initdb", done)
        settings = {**SETTINGS, "unix_socket_directories": f"'{folder}'"}
        with open(data / "postgresql.conf", "a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        port = _start(pg_ctl, user, folder, log)
        create_database(port)
        yield f"{SCHEME}://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"
    finally:
        try:
            if (data / "postmaster.pid").exists():
                _stop(pg_ctl, user, folder)
        finally:
            shutil.rmtree(folder)


def _start(pg_ctl: list[str], user: pwd.struct_passwd | None, folder: Path, log: Path, tries: int = 3) -> int:
    """Start the server on a free port (another one if that port was taken meanwhile); return it."""
    attempt = 1
    while True:
        port = free_port()
        log.unlink(missing_ok=True)  # so that its text is this attempt's
        started = _run([*pg_ctl, "-l", str(log), "-w", "-t", str(TIMEOUT_S), "-o", f"-p {port}", "start"], user, folder)
        if started.returncode == 0:
            return port
        port_taken = "could not bind" in log.read_text(errors="replace")
        if not port_taken or attempt == tries:
            raise _failure("pg_ctl start", started, log)
        attempt += 1


def create_database(port: int, name: str = DATABASE, host: str = "127.0.0.1", user: str = SUPERUSER) -> None:
    """Create database ``name`` on the server at ``host:port``, over TCP, as a URL will reach it."""
    admin = psycopg2.connect(host=host, port=port, user=user, dbname="postgres")
    try:
        admin.autocommit = True  # CREATE DATABASE refuses to run inside a transaction
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
    finally:
        admin.close()


def _stop(pg_ctl: list[str], user: pwd.struct_passwd | None, folder: Path) -> None:
    """Stop the server (fast: roll back open transactions), or kill it if that does not work."""
    if _run([*pg_ctl, "-w", "-t", str(TIMEOUT_S), "-m", "fast", "stop"], user, folder).returncode != 0:
        if (done := _run([*pg_ctl, "-w", "-m", "immediate", "stop"], user, folder)).returncode != 0:
            raise _failure("pg_ctl stop", done)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of an empty database on a PostgreSQL server of its own, for the whole test session."""
    if reason := _postgres_missing():
        pytest.fail(reason, pytrace=False)  # a clear message, not a traceback (and never a skip)
    with running_postgres() as url:
        yield url


def _postgres_missing() -> str:
    """Why no PostgreSQL server can run here, or "" if one can."""
    try:
        find_bindir()
    except PostgresNotFound as missing:
        return str(missing)
    return ""
