"""A real PostgreSQL server for tests: one per session, a fresh database per test.

initdb refuses to run as root, so under root the server runs as an unprivileged user
(`postgres` if the system has one, else `nobody`) from a temporary folder it owns. It
listens on 127.0.0.1 at a free port with trust authentication (but for PASSWORD_ROLE,
which must give its password), and on a socket in that folder. Without the server
binaries or the psycopg driver every test that asks for it skips with one line saying
what is missing.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "newswatch"
PASSWORD_ROLE = "pw_user"  # the one role that must give a password (scram), for libpq's rules
_SKIP_NO_BINARIES = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found: "
    "install Debian's postgresql package to run the PostgreSQL tests"
)


def server_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else Debian's versioned folders."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _runner() -> tuple[list[str], int | None, int | None]:
    """The command prefix that runs the server unprivileged, and that user's uid and gid."""
    if os.geteuid() != 0:
        return [], None, None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            user = pwd.getpwnam(name)
            prefix = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}"]
            return [*prefix, "--clear-groups", "--"], user.pw_uid, user.pw_gid
    pytest.skip("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL")


@dataclass
class PgServer:
    """A running server: `database()` makes a new empty database and returns its DSN."""

    port: int
    folder: Path
    _numbers: Iterator[int]
    ctl: list[str]  # pg_ctl -D DATA, run as the server's user

    def stop(self) -> None:
        """Stop the server (every connection to it is cut), for outage tests."""
        subprocess.run([*self.ctl, "-m", "fast", "-w", "stop"], check=True, capture_output=True)

    def start(self) -> None:
        """Start it again on the same port, with every database as it was."""
        log = str(self.folder / "server.log")
        run = [*self.ctl, "-o", self._options(), "-l", log, "-w", "start"]
        subprocess.run(run, check=True, capture_output=True)

    def _options(self) -> str:
        return (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.folder} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )

    def dsn(self, name: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def database(self) -> str:
        import psycopg

        name = f"nw_test_{next(self._numbers)}"
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.dsn(name)


def _start(binaries: Path) -> PgServer:
    prefix, uid, gid = _runner()
    folder = Path(tempfile.mkdtemp(prefix="newswatch-pg-"))
    data = folder / "data"
    if uid is not None and gid is not None:
        os.chown(folder, uid, gid)
    initdb = [str(binaries / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust"]
    subprocess.run(
        [*prefix, *initdb, "--locale=C", "--encoding=UTF8"],
        check=True,
        capture_output=True,
    )
    hba = data / "pg_hba.conf"
    hba.write_text(
        f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n" + hba.read_text(), "utf-8"
    )
    ctl = [*prefix, str(binaries / "pg_ctl"), "-D", str(data)]
    server = PgServer(_free_port(), folder, itertools.count(1), ctl)
    server.start()
    return server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL server for the whole session, stopped and removed at its end."""
    binaries = server_binaries()
    if binaries is None:
        pytest.skip(_SKIP_NO_BINARIES)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("the psycopg driver is not installed: pip install -e '.[postgresql]'")
    server = _start(binaries)
    try:
        yield server
    finally:
        subprocess.run([*server.ctl, "-m", "immediate", "stop"], check=False, capture_output=True)
        shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture
def pg_dsn(pg_server: PgServer) -> str:
    """A new, empty database on the session's server."""
    return pg_server.database()
