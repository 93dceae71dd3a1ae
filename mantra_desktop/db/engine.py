"""The async engine, its SQLite settings, and the session lanes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from mantra_desktop.config import describe_database_url
from mantra_desktop.db.errors import DatabaseUnavailable

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
POSTGRES_CONNECT_TIMEOUT_S = 10


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def parse_url(url: str) -> URL:
    """Parse a database URL or raise :class:`DatabaseUnavailable` saying why."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise DatabaseUnavailable(f"{url!r} is not a database URL.") from error
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseUnavailable(
            f"{parsed.get_backend_name()!r} databases are not supported: "
            "use a SQLite file or a PostgreSQL URL."
        )
    return parsed


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the engine for a SQLite file or a PostgreSQL server.

    SQLite connections get WAL, a busy timeout and enforced foreign keys.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(parsed, echo=echo)
        event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
    else:
        engine = create_async_engine(
            parsed,
            echo=echo,
            pool_pre_ping=True,
            connect_args={"timeout": POSTGRES_CONNECT_TIMEOUT_S},
        )
    logger.debug("Created engine for %s", describe_database_url(url))
    return engine


class Database:
    """The engine plus two ways in: reads in parallel, writes one at a time.

    SQLite allows one writer; an asyncio lock keeps the app's own writes in a
    single lane so they queue instead of failing with "database is locked".
    PostgreSQL needs no lane, so the lock is only taken for SQLite.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.url = engine.url
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._write_lane: asyncio.Lock | None = (
            asyncio.Lock() if self.is_sqlite else None
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_shared(self) -> bool:
        """True for a server database that several people may use."""
        return not self.is_sqlite

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for queries; nothing is committed."""
        async with self.sessions() as session:
            yield session

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction, committed when the block ends."""
        lane = self._write_lane or contextlib.nullcontext()
        async with lane, self.sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
