"""Users: the people whose servers, accounts and installations are kept."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from mantra_desktop.db.engine import Database
from mantra_desktop.models import User
from mantra_desktop.repositories.errors import AlreadyExists, NotFound


class UserRepository:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def get(self, user_id: str) -> User | None:
        async with self._database.read() as session:
            return await session.get(User, user_id)

    async def require(self, user_id: str) -> User:
        user = await self.get(user_id)
        if user is None:
            raise NotFound("That user does not exist.")
        return user

    async def get_by_email(self, email: str) -> User | None:
        async with self._database.read() as session:
            query = select(User).where(func.lower(User.email) == email.strip().lower())
            return (await session.scalars(query)).first()

    async def create(self, *, email: str, name: str) -> User:
        """Create a user; raises :class:`AlreadyExists` for a taken email."""
        email = email.strip()
        if await self.get_by_email(email) is not None:
            raise AlreadyExists(f"An account with the email {email} exists.")
        user = User(email=email, name=name.strip() or email)
        try:
            async with self._database.write() as session:
                session.add(user)
        except IntegrityError as error:
            raise AlreadyExists(f"An account with the email {email} exists.") from error
        return user

    async def update(
        self, user_id: str, *, name: str | None = None, email: str | None = None
    ) -> User:
        try:
            async with self._database.write() as session:
                user = await session.get(User, user_id)
                if user is None:
                    raise NotFound("That user does not exist.")
                if name is not None:
                    user.name = name.strip()
                if email is not None:
                    user.email = email.strip()
        except IntegrityError as error:
            raise AlreadyExists(f"An account with the email {email} exists.") from error
        return user

    async def list(self, *, include_inactive: bool = False) -> Sequence[User]:
        async with self._database.read() as session:
            query = select(User).order_by(User.name, User.email)
            if not include_inactive:
                query = query.where(User.is_active.is_(True))
            return (await session.scalars(query)).all()
