"""Bring a database to the schema this version of the app expects.

The migrations in ``migrations/`` are the only source of the schema. The app
runs them inside its own event loop by handing Alembic a connection taken
from the async engine (``run_sync``), so nothing blocks and no second event
loop is started. Before an existing SQLite file is changed it is copied aside
with SQLite's backup API; a database written by a newer app is refused and
left exactly as it was.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from mantra_desktop.config import describe_database_url, migrations_dir
from mantra_desktop.db.engine import Database
from mantra_desktop.db.errors import (
    DatabaseUnavailable,
    NotOurDatabase,
    SchemaTooNew,
)

if TYPE_CHECKING:
    from alembic.config import Config

logger = logging.getLogger(__name__)

BACKUPS_KEPT = 5

# Full-text search objects are defined only by a migration, not by the models.
SEARCH_OBJECT_PREFIXES = ("mantra_search", "ix_mantras_search")


def include_object(obj: object, name: str | None, *_: object) -> bool:
    """Leave the full-text search objects out of model comparisons."""
    return not (name or "").startswith(SEARCH_OBJECT_PREFIXES)


@dataclass(frozen=True)
class MigrationReport:
    """What :func:`migrate` found and did."""

    before: str | None
    after: str
    backup: Path | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the bundled migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def known_revisions() -> tuple[set[str], str]:
    """Return every revision the app knows, and the head revision."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    head = scripts.get_current_head()
    if head is None:
        raise RuntimeError("the bundled migrations have no head revision")
    return {script.revision for script in scripts.walk_revisions()}, head


def _read_state(connection: Connection) -> tuple[str | None, set[str]]:
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" not in tables:
        return None, tables
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return (row[0] if row else None), tables


def _read_sqlite_file_state(database_file: Path) -> tuple[str | None, set[str]]:
    """Read the schema state of a SQLite file without changing a byte of it.

    The engine's connections switch a file to WAL, which rewrites its header,
    so the first look goes through a read-only connection of its own.
    """
    if not database_file.exists():
        return None, set()
    connection = sqlite3.connect(f"file:{database_file}?mode=ro", uri=True)
    try:
        tables = {
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        }
        if "alembic_version" not in tables:
            return None, tables
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return (row[0] if row else None), tables
    finally:
        connection.close()


def _upgrade(connection: Connection, target: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), target)


def _downgrade(connection: Connection, target: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(connection), target)


def backup_sqlite_file(database_file: Path, backup_dir: Path, revision: str) -> Path:
    """Copy a SQLite database aside, WAL included, and keep the newest few."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = backup_dir / f"{database_file.stem}-{stamp}-rev{revision}.db"
    source = sqlite3.connect(f"file:{database_file}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    old = sorted(backup_dir.glob(f"{database_file.stem}-*.db"))
    for stale in old[:-BACKUPS_KEPT]:
        stale.unlink(missing_ok=True)
    return target


def describe_open_error(url: str, error: BaseException) -> str:
    """A sentence for a user about why the database could not be opened."""
    shown = describe_database_url(url)
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()
    reason = detail[0] if detail else type(error).__name__
    lowered = reason.lower()
    if "file is not a database" in lowered or "not a database" in lowered:
        return f"{shown} is not a SQLite database file, so it was not opened."
    if "unable to open database file" in lowered or "readonly" in lowered:
        return (
            f"Cannot open {shown}: the folder does not exist or is not writable "
            "for you."
        )
    if isinstance(error, (ConnectionError, OSError, asyncio.TimeoutError)) or (
        "connect" in lowered or "refused" in lowered
    ):
        return f"Cannot reach the database server for {shown}: {reason}"
    return f"Cannot open the database {shown}: {reason}"


async def migrate(
    database: Database, backup_dir: Path | None = None
) -> MigrationReport:
    """Upgrade ``database`` to the newest schema.

    Raises :class:`SchemaTooNew` for a schema from a newer app,
    :class:`NotOurDatabase` for a database holding other tables, and
    :class:`DatabaseUnavailable` when it cannot be opened at all. In each case
    nothing in the database has been changed.
    """
    url = database.url.render_as_string(hide_password=False)
    database_file = database.url.database
    try:
        if database.is_sqlite and database_file and database_file != ":memory:":
            current, tables = await asyncio.to_thread(
                _read_sqlite_file_state, Path(database_file)
            )
        else:
            async with database.engine.connect() as connection:
                current, tables = await connection.run_sync(_read_state)
    except Exception as error:
        logger.warning("Cannot open %s", describe_database_url(url), exc_info=True)
        raise DatabaseUnavailable(describe_open_error(url, error)) from error

    revisions, head = await asyncio.to_thread(known_revisions)
    if current is not None and current not in revisions:
        raise SchemaTooNew(
            f"This database was written by a newer version of Mantra Desktop "
            f"(schema {current}). Update the app to open it; it was left "
            "unchanged."
        )
    if current is None and tables - {"alembic_version"}:
        raise NotOurDatabase(
            f"{describe_database_url(url)} already holds other tables "
            f"({', '.join(sorted(tables)[:5])}) and is not a Mantra Desktop "
            "database; it was left unchanged."
        )
    if current == head:
        await _check_connection(database, url)
        return MigrationReport(before=current, after=head, backup=None)

    backup = None
    if (
        database.is_sqlite
        and current is not None
        and backup_dir is not None
        and database_file
    ):
        backup = await asyncio.to_thread(
            backup_sqlite_file, Path(database_file), backup_dir, current
        )
        logger.info("Copied the database to %s before migrating", backup)

    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(_upgrade, head)
    except (OSError, DBAPIError) as error:
        raise DatabaseUnavailable(describe_open_error(url, error)) from error
    logger.info("Migrated the database from %s to %s", current or "empty", head)
    return MigrationReport(before=current, after=head, backup=backup)


async def _check_connection(database: Database, url: str) -> None:
    """Open one connection, so a file that cannot be written is reported now."""
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        logger.warning("Cannot open %s", describe_database_url(url), exc_info=True)
        raise DatabaseUnavailable(describe_open_error(url, error)) from error


async def downgrade(database: Database, target: str) -> None:
    """Run migrations down to ``target`` ("base" for an empty schema)."""
    async with database.engine.begin() as connection:
        await connection.run_sync(_downgrade, target)
