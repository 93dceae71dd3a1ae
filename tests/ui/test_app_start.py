"""Starting the app as a user does: a new file, PostgreSQL, and bad databases."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.peers.postgres import PostgresPeer


def start_app(home: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        **(env or {}),
    }
    if "DATABASE_URL" not in (env or {}):
        environment.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "mantra_desktop", "--smoke", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_smoke_creates_the_default_database_and_log(tmp_path: Path) -> None:
    result = start_app(tmp_path)
    assert result.returncode == 0, result.stderr
    database = tmp_path / "data" / "mantra-desktop" / "mantra.db"
    with sqlite3.connect(database) as connection:
        (revision,) = connection.execute(
            "SELECT version_num FROM alembic_version"
        ).fetchone()
        users = connection.execute("SELECT count(*) FROM users").fetchone()
        journal = connection.execute("PRAGMA journal_mode").fetchone()
    connection.close()
    assert revision and users == (1,) and journal == ("wal",)
    log = tmp_path / "state" / "mantra-desktop" / "log" / "mantra-desktop.log"
    assert "Started Mantra Desktop" in log.read_text()


def test_smoke_on_postgresql(tmp_path: Path, postgres_server: PostgresPeer) -> None:
    name = postgres_server.create_database()
    try:
        url = postgres_server.url(name)
        result = start_app(tmp_path, "--database", url)
        assert result.returncode == 0, result.stderr
        tables = postgres_server.psql(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_name IN ('users', 'mantras', 'mantra_installations')",
            database=name,
        )
        assert tables.strip() == "3"
        by_env = start_app(tmp_path, env={"DATABASE_URL": url})
        assert by_env.returncode == 0, by_env.stderr
        assert (
            postgres_server.password
            not in (tmp_path / "state")
            .joinpath("mantra-desktop", "log", "mantra-desktop.log")
            .read_text()
        )
    finally:
        postgres_server.drop_database(name)


@pytest.mark.parametrize(
    ("make_target", "expected"),
    [
        (lambda tmp: "mysql://nobody@127.0.0.1/x", "not supported"),
        (lambda tmp: "this is :// not a url", "not a database URL"),
        (
            lambda tmp: "postgresql://app:secret@127.0.0.1:9/none",
            "Cannot reach the database server",
        ),
        (lambda tmp: str(tmp / "missing-folder" / "deeper" / "x.db"), "Cannot open"),
    ],
    ids=["unsupported", "garbage", "server-down", "no-folder"],
)
def test_bad_database_exits_with_a_message(
    tmp_path: Path, make_target: Any, expected: str
) -> None:
    result = start_app(tmp_path, "--database", make_target(tmp_path))
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "secret" not in result.stderr


def test_file_that_is_not_a_database_is_left_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n" * 300)
    before = notes.read_bytes()
    result = start_app(tmp_path, "--database", str(notes))
    assert result.returncode == 2
    assert "is not a SQLite database file" in result.stderr
    assert notes.read_bytes() == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("notes.txt-")]


def test_folder_without_write_access(tmp_path: Path) -> None:
    """A read-only folder (a read-only bind mount: the tests run as root)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    home = tmp_path / "home"
    script = (
        f"mount --bind {folder} {folder} && "
        f"mount -o remount,bind,ro {folder} && "
        f"exec {sys.executable} -m mantra_desktop --smoke --database {folder}/x.db"
    )
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CONFIG_HOME": str(home / "config"),
    }
    result = subprocess.run(
        ["unshare", "--mount", "sh", "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "not writable for you" in result.stderr
    assert list(folder.iterdir()) == []


def test_without_a_display_the_app_says_so(tmp_path: Path) -> None:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    environment["XDG_STATE_HOME"] = str(tmp_path / "state")
    result = subprocess.run(
        [sys.executable, "-m", "mantra_desktop", "--smoke"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "needs a desktop session" in result.stderr
    assert "Traceback" not in result.stderr
