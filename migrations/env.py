"""Alembic environment for Mantra Desktop.

Two ways in: the app passes an open synchronous connection (taken from its
async engine with ``run_sync``) in ``config.attributes["connection"]``; the
command line gets none and opens its own async engine from ``DATABASE_URL``
or the app's default database file.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from mantra_desktop.db.migrate import include_object
from mantra_desktop.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_command_line() -> None:
    from mantra_desktop.config import app_paths, resolve_database_url
    from mantra_desktop.db.engine import create_engine

    paths = app_paths()
    url = config.get_main_option("sqlalchemy.url") or resolve_database_url(None, paths)
    if url.startswith("sqlite") and not config.get_main_option("sqlalchemy.url"):
        paths.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


shared_connection = config.attributes.get("connection")
if shared_connection is not None:
    _run(shared_connection)
elif context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported.")
else:
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    asyncio.run(_run_from_command_line())
