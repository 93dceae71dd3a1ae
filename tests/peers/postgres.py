"""A throwaway PostgreSQL cluster on loopback for the test suite.

It uses Debian's PostgreSQL server binaries (``python -m tests.peers install``
installs them when missing). The cluster lives in a temporary folder owned by
the ``postgres`` user, listens on 127.0.0.1 on a free port with password
authentication, and is stopped by its process id.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

APP_ROLE = "mantra"


def postgres_bin_dir() -> Path | None:
    """The newest installed server's bin folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key)
    return Path(found[-1]) if found else None


def _version_key(path: str) -> float:
    try:
        return float(Path(path).parent.name)
    except ValueError:
        return 0.0


def install(say: Callable[[str], None] = lambda _line: None) -> None:
    """Install Debian's PostgreSQL server with apt-get if it is missing."""
    if postgres_bin_dir() is not None:
        say("postgresql: already installed")
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise RuntimeError(
            "PostgreSQL is missing; install it as root: apt-get install -y postgresql"
        )
    say("postgresql: apt-get install -y postgresql")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=environment)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "postgresql"],
        check=True,
        env=environment,
        stdout=subprocess.DEVNULL,
    )
    say("postgresql: installed")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(*command: str | Path, **kwargs: object) -> str:
    result = subprocess.run(
        ["runuser", "-u", "postgres", "--", *map(str, command)],
        check=True,
        capture_output=True,
        text=True,
        **kwargs,  # type: ignore[arg-type]
    )
    return result.stdout


@dataclass
class PostgresPeer:
    """A running cluster; ``url(database)`` gives an asyncpg URL for a database."""

    root: Path
    port: int
    password: str
    pid: int
    bin_dir: Path

    def url(self, database: str) -> str:
        return (
            f"postgresql+asyncpg://{APP_ROLE}:{self.password}"
            f"@127.0.0.1:{self.port}/{database}"
        )

    def psql(self, sql: str, database: str = "postgres") -> str:
        return _as_postgres(
            self.bin_dir / "psql",
            "-q",
            "-At",
            "-h",
            self.root / "sock",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        )

    def create_database(self, prefix: str = "mantra_test") -> str:
        name = f"{prefix}_{secrets.token_hex(4)}"
        self.psql(f'CREATE DATABASE "{name}" OWNER {APP_ROLE}')
        return name

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server by its process id and delete its folder."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGINT)  # "fast" shutdown
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            os.kill(self.pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> PostgresPeer:
    """Start a fresh cluster; raise RuntimeError with the log when it fails."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise RuntimeError(
            "PostgreSQL is not installed; run: python -m tests.peers install"
        )
    root = Path(tempfile.mkdtemp(prefix="mantra-pg-"))
    (root / "sock").mkdir()
    shutil.chown(root, "postgres", "postgres")
    shutil.chown(root / "sock", "postgres", "postgres")
    password = secrets.token_hex(12)
    password_file = root / "password"
    password_file.write_text(password)
    shutil.chown(password_file, "postgres", "postgres")
    port = _free_port()
    data = root / "data"
    _as_postgres(
        bin_dir / "initdb",
        "-D",
        data,
        "-U",
        "postgres",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "-E",
        "UTF8",
        "--no-locale",
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {root / 'sock'} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    try:
        _as_postgres(
            bin_dir / "pg_ctl",
            "-D",
            data,
            "-l",
            root / "server.log",
            "-w",
            "-t",
            "30",
            "-o",
            options,
            "start",
        )
    except subprocess.CalledProcessError as error:
        log = (root / "server.log").read_text(errors="replace")[-2000:]
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start:\n{log}") from error
    pid = int((data / "postmaster.pid").read_text().split()[0])
    peer = PostgresPeer(
        root=root, port=port, password=password, pid=pid, bin_dir=bin_dir
    )
    peer.psql(f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{password}' CREATEDB")
    return peer
