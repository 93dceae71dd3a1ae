"""The migrations are the schema: compared with the models, reversible, safe."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from mantra_desktop.db.engine import Database, create_engine
from mantra_desktop.db.errors import DatabaseUnavailable, NotOurDatabase, SchemaTooNew
from mantra_desktop.db.migrate import (
    downgrade,
    include_object,
    known_revisions,
    migrate,
)
from mantra_desktop.models import Base


def _schema_diff(connection: Any) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "include_object": include_object},
    )
    return compare_metadata(context, Base.metadata)


def _tables(connection: Any) -> set[str]:
    return set(inspect(connection).get_table_names())


def test_upgrade_from_empty_matches_the_models(database_url: str, arun: Any) -> None:
    database = Database(create_engine(database_url))
    try:
        report = arun(migrate(database))
        assert report.before is None
        assert report.after == known_revisions()[1]

        async def compare() -> tuple[list[Any], set[str]]:
            async with database.engine.connect() as connection:
                diff = await connection.run_sync(_schema_diff)
                tables = await connection.run_sync(_tables)
            return diff, tables

        diff, tables = arun(compare())
        assert diff == []
        assert set(Base.metadata.tables) <= tables
        assert {"users", "google_auth", "mantras", "mantra_installations"} <= tables
    finally:
        arun(database.dispose())


def test_every_migration_downgrades_to_empty(database_url: str, arun: Any) -> None:
    database = Database(create_engine(database_url))
    try:
        arun(migrate(database))
        arun(downgrade(database, "base"))

        async def remaining() -> set[str]:
            async with database.engine.connect() as connection:
                return await connection.run_sync(_tables)

        assert arun(remaining()) <= {"alembic_version"}
        # and back up again, so each step also upgrades from its predecessor
        assert arun(migrate(database)).after == known_revisions()[1]
    finally:
        arun(database.dispose())


def test_sqlite_file_is_copied_aside_before_migration(
    tmp_path: Path, arun: Any
) -> None:
    file = tmp_path / "old.db"
    database = Database(create_engine(f"sqlite+aiosqlite:///{file}"))
    backups = tmp_path / "backups"
    try:
        arun(migrate(database))
        arun(downgrade(database, "0001"))

        async def add_user() -> None:
            async with database.write() as session:
                await session.execute(
                    text(
                        "INSERT INTO users (id, email, name, is_active, created_at,"
                        " updated_at) VALUES ('u1', 'a@example.test', 'A', 1,"
                        " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                    )
                )

        arun(add_user())
        report = arun(migrate(database, backups))
    finally:
        arun(database.dispose())

    assert report.before == "0001" and report.backup is not None
    assert report.backup.parent == backups
    copy = sqlite3.connect(report.backup)
    try:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0001",)
        ]
        assert copy.execute("SELECT email FROM users").fetchall() == [
            ("a@example.test",)
        ]
    finally:
        copy.close()


def test_newer_schema_is_refused_and_left_untouched(tmp_path: Path, arun: Any) -> None:
    file = tmp_path / "future.db"
    with sqlite3.connect(file) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
        connection.execute("INSERT INTO alembic_version VALUES ('9999_future')")
        connection.execute("CREATE TABLE mantras (id TEXT)")
    connection.close()
    before = file.read_bytes()

    database = Database(create_engine(f"sqlite+aiosqlite:///{file}"))
    try:
        with pytest.raises(SchemaTooNew, match="newer version of Mantra Desktop"):
            arun(migrate(database, tmp_path / "backups"))
    finally:
        arun(database.dispose())
    assert file.read_bytes() == before
    assert not (tmp_path / "backups").exists()


def test_foreign_database_is_refused(tmp_path: Path, arun: Any) -> None:
    file = tmp_path / "other.db"
    with sqlite3.connect(file) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    connection.close()
    before = file.read_bytes()
    database = Database(create_engine(f"sqlite+aiosqlite:///{file}"))
    try:
        with pytest.raises(NotOurDatabase, match="invoices"):
            arun(migrate(database))
    finally:
        arun(database.dispose())
    assert file.read_bytes() == before


def test_file_that_is_not_a_database_is_refused(tmp_path: Path, arun: Any) -> None:
    file = tmp_path / "notes.db"
    file.write_bytes(b"these are my notes, not a database\n" * 200)
    before = file.read_bytes()
    database = Database(create_engine(f"sqlite+aiosqlite:///{file}"))
    try:
        with pytest.raises(DatabaseUnavailable, match="not a SQLite database"):
            arun(migrate(database))
    finally:
        arun(database.dispose())
    assert file.read_bytes() == before
