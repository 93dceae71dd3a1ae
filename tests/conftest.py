"""Shared test set-up: an isolated home, one qasync loop, real databases.

The Qt and asyncio pattern: one session-wide qasync loop marked as already
running, synchronous test functions, and Qt event pumping (``qtbot.waitUntil``
and friends) to advance coroutines. ``arun`` runs a coroutine to completion
that way. pytest-asyncio is deliberately not used: it does not mix with it.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

# Before anything can create a QApplication or read a user folder.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QT_API"] = "pyside6"
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="mantra-tests-"))
for _variable in (
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
):
    os.environ[_variable] = str(_SESSION_HOME / _variable.lower())
os.environ.pop("DATABASE_URL", None)

import keyring  # noqa: E402
import pytest  # noqa: E402
import qasync  # noqa: E402

from mantra_desktop import secrets  # noqa: E402
from mantra_desktop.db.engine import Database, create_engine  # noqa: E402
from mantra_desktop.db.migrate import migrate  # noqa: E402

pytest_plugins = [
    name
    for name in (
        "tests.peers.fixtures",
        "tests.peers.oidc_fixtures",
        "tests.peers.postgres_fixtures",
    )
    if (Path(__file__).parent / "peers" / f"{name.rsplit('.', 1)[1]}.py").exists()
]

T = TypeVar("T")
Runner = Callable[..., Any]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every user folder (data, config, logs, cache) at a fresh folder."""
    home = tmp_path / "home"
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(variable, str(home / variable.lower()))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "xdg_state_home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return home


@pytest.fixture(autouse=True)
def memory_keychain() -> Iterator[secrets.MemoryKeyring]:
    """Give each test an empty in-memory keychain."""
    previous = keyring.get_keyring()
    backend = secrets.MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def qloop(qapp: Any) -> Iterator[qasync.QEventLoop]:
    """The one qasync loop of the session, seen by asyncio as running."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    loop.stop()
    asyncio.events._set_running_loop(None)
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture(autouse=True)
def _cancel_leftover_tasks(qloop: qasync.QEventLoop, qtbot: Any) -> Iterator[None]:
    yield
    pending = [task for task in asyncio.all_tasks(qloop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        qtbot.waitUntil(lambda: all(task.done() for task in pending), timeout=5000)


@pytest.fixture
def arun(qtbot: Any, qloop: qasync.QEventLoop) -> Runner:
    """Run an awaitable to completion by pumping Qt events; return its result."""

    def run(awaitable: Awaitable[T], timeout: int = 30_000) -> T:
        future = asyncio.ensure_future(awaitable)
        qtbot.waitUntil(future.done, timeout=timeout)
        return future.result()

    return run


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh database on real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = server.create_database()
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)


@pytest.fixture
def database(database_url: str, arun: Runner) -> Iterator[Database]:
    """A migrated database of each kind, disposed after the test."""
    db = Database(create_engine(database_url))
    arun(migrate(db))
    yield db
    arun(db.dispose())
