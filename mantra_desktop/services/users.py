"""Who is using the app: the local user, or a chosen person on a shared database.

On the embedded SQLite database there is one user, created on first start and
named after the operating-system account. On a shared PostgreSQL database
everyone sees the whole catalog but only their own servers, accounts and
installations, so each person picks or creates their user once; the choice
is remembered per database in a small file in the user config folder.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import socket
from collections.abc import Sequence
from pathlib import Path

from mantra_desktop.models import User
from mantra_desktop.repositories.users import UserRepository

logger = logging.getLogger(__name__)

PROFILE_FILE = "profiles.json"


def os_account() -> tuple[str, str]:
    """Return the OS login name and the person's full name when known."""
    login = os.environ.get("USER") or getpass.getuser() or "user"
    full_name = login
    try:
        import pwd

        gecos = pwd.getpwnam(login).pw_gecos.split(",", 1)[0].strip()
        full_name = gecos or login
    except (ImportError, KeyError):
        pass
    return login, full_name


def database_key(url: str) -> str:
    """A stable, password-free key for a database URL."""
    from sqlalchemy.engine import make_url

    shown = make_url(url).render_as_string(hide_password=True)
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


class UserService:
    def __init__(self, users: UserRepository, config_dir: Path) -> None:
        self._users = users
        self._profiles = config_dir / PROFILE_FILE

    async def ensure_local_user(self) -> User:
        """The single user of a local database, created on first start."""
        existing = await self._users.list()
        if existing:
            return existing[0]
        login, full_name = os_account()
        email = f"{login}@{socket.gethostname() or 'localhost'}"
        user = await self._users.create(email=email, name=full_name)
        logger.info("Created the local user %s", user.name)
        return user

    async def list_users(self) -> Sequence[User]:
        return await self._users.list()

    async def create_user(self, *, email: str, name: str) -> User:
        user = await self._users.create(email=email, name=name)
        logger.info("Created user %s", user.name)
        return user

    async def remembered_user(self, url: str) -> User | None:
        """The user chosen last time on this shared database, if still there."""
        user_id = self._read_profiles().get(database_key(url))
        return await self._users.get(user_id) if user_id else None

    def remember_user(self, url: str, user: User) -> None:
        profiles = self._read_profiles()
        profiles[database_key(url)] = user.id
        self._profiles.parent.mkdir(parents=True, exist_ok=True)
        self._profiles.write_text(json.dumps(profiles, indent=2))

    def _read_profiles(self) -> dict[str, str]:
        try:
            loaded = json.loads(self._profiles.read_text())
        except (OSError, ValueError):
            return {}
        return loaded if isinstance(loaded, dict) else {}
