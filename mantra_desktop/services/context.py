"""Open the database and build the services every front end uses.

Both the window and the command line start here: :func:`open_database`
connects and migrates, then :func:`build_services` wires repositories and
use cases for one user.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from mantra_desktop.config import AppPaths, describe_database_url, resources_dir
from mantra_desktop.db.engine import Database, create_engine
from mantra_desktop.db.migrate import MigrationReport, migrate
from mantra_desktop.models import User
from mantra_desktop.repositories.google_auth import GoogleAuthRepository
from mantra_desktop.repositories.installations import InstallationRepository
from mantra_desktop.repositories.mantras import MantraRepository
from mantra_desktop.repositories.servers import ServerRepository
from mantra_desktop.repositories.users import UserRepository
from mantra_desktop.services.accounts import AccountService, InstallCredentials
from mantra_desktop.services.catalog import CatalogService
from mantra_desktop.services.install import InstallService
from mantra_desktop.services.servers import ServerService
from mantra_desktop.services.users import UserService

logger = logging.getLogger(__name__)


@dataclass
class Repositories:
    users: UserRepository
    mantras: MantraRepository
    installations: InstallationRepository
    servers: ServerRepository
    google_auth: GoogleAuthRepository

    @classmethod
    def on(cls, database: Database) -> Repositories:
        return cls(
            users=UserRepository(database),
            mantras=MantraRepository(database),
            installations=InstallationRepository(database),
            servers=ServerRepository(database),
            google_auth=GoogleAuthRepository(database),
        )


async def open_database(
    url: str, paths: AppPaths, *, echo: bool = False
) -> tuple[Database, MigrationReport]:
    """Connect to ``url`` and migrate it; the caller disposes the database.

    Raises :class:`mantra_desktop.db.errors.DatabaseError` subclasses with a
    message for the user; the database is disposed before they propagate.
    """
    database = Database(create_engine(url, echo=echo))
    if database.is_sqlite:
        database_file = database.url.database
        if database_file and database_file == str(paths.database_file):
            paths.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        report = await migrate(database, paths.backup_dir)
    except BaseException:
        await database.dispose()
        raise
    logger.info("Opened %s", describe_database_url(url))
    return database, report


@dataclass
class Services:
    """Everything a front end needs, for the current user."""

    database: Database
    paths: AppPaths
    repositories: Repositories
    users: UserService
    current_user: User
    catalog: CatalogService
    servers: ServerService
    installs: InstallService
    accounts: AccountService


def user_service(database: Database, paths: AppPaths) -> UserService:
    return UserService(UserRepository(database), paths.config_dir)


def build_services(database: Database, paths: AppPaths, user: User) -> Services:
    repositories = Repositories.on(database)
    servers = ServerService(repositories.servers, user.id)
    accounts = AccountService(repositories.google_auth, user, paths.config_dir)
    catalog = CatalogService(
        repositories.mantras,
        user_id=user.id,
        starter_folder=resources_dir() / "catalog",
    )
    return Services(
        database=database,
        paths=paths,
        repositories=repositories,
        users=UserService(repositories.users, paths.config_dir),
        current_user=user,
        catalog=catalog,
        servers=servers,
        installs=InstallService(
            repositories,
            servers,
            user.id,
            catalog=catalog,
            google_credentials=InstallCredentials(accounts, repositories.servers),
        ),
        accounts=accounts,
    )
