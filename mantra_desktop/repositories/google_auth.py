"""Linked Google accounts (the non-secret part; tokens are in the keychain)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from mantra_desktop.db.engine import Database
from mantra_desktop.models import GoogleAuth
from mantra_desktop.repositories.errors import NotFound


class GoogleAuthRepository:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def get(self, auth_id: str) -> GoogleAuth | None:
        async with self._database.read() as session:
            return await session.get(GoogleAuth, auth_id)

    async def list_for_user(self, user_id: str) -> Sequence[GoogleAuth]:
        async with self._database.read() as session:
            query = (
                select(GoogleAuth)
                .where(GoogleAuth.user_id == user_id)
                .order_by(GoogleAuth.email)
            )
            return (await session.scalars(query)).all()

    async def get_by_subject(self, user_id: str, subject: str) -> GoogleAuth | None:
        async with self._database.read() as session:
            query = select(GoogleAuth).where(
                GoogleAuth.user_id == user_id, GoogleAuth.subject == subject
            )
            return (await session.scalars(query)).first()

    async def upsert(
        self,
        *,
        user_id: str,
        subject: str,
        email: str,
        name: str | None,
        credentials: dict[str, Any],
    ) -> tuple[GoogleAuth, bool]:
        """Insert the account, or update it when the same subject is linked.

        Returns the row and whether it was created.
        """
        async with self._database.write() as session:
            query = select(GoogleAuth).where(
                GoogleAuth.user_id == user_id, GoogleAuth.subject == subject
            )
            auth = (await session.scalars(query)).first()
            created = auth is None
            if auth is None:
                auth = GoogleAuth(user_id=user_id, subject=subject)
                session.add(auth)
            auth.email = email
            auth.name = name
            auth.credentials = dict(credentials)
            auth.is_active = True
        return auth, created

    async def update_credentials(
        self, auth_id: str, credentials: dict[str, Any], *, is_active: bool = True
    ) -> GoogleAuth:
        async with self._database.write() as session:
            auth = await session.get(GoogleAuth, auth_id)
            if auth is None:
                raise NotFound("That Google account is not linked.")
            auth.credentials = dict(credentials)
            auth.is_active = is_active
        return auth

    async def delete(self, auth_id: str) -> None:
        async with self._database.write() as session:
            auth = await session.get(GoogleAuth, auth_id)
            if auth is None:
                raise NotFound("That Google account is not linked.")
            await session.delete(auth)
