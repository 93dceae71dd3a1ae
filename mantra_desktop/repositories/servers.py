"""n8n servers a user installs into. The API key is never stored here."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from mantra_desktop.db.engine import Database
from mantra_desktop.models import InstallationState, MantraInstallation, N8nServer
from mantra_desktop.repositories.errors import AlreadyExists, InUse, NotFound


def _name_taken(name: str) -> AlreadyExists:
    return AlreadyExists(f"You already have a server named {name!r}.")


class ServerRepository:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def get(self, server_id: str) -> N8nServer | None:
        async with self._database.read() as session:
            return await session.get(N8nServer, server_id)

    async def require(self, server_id: str) -> N8nServer:
        server = await self.get(server_id)
        if server is None:
            raise NotFound("That n8n server is not configured.")
        return server

    async def get_by_name(self, user_id: str, name: str) -> N8nServer | None:
        async with self._database.read() as session:
            query = select(N8nServer).where(
                N8nServer.user_id == user_id, N8nServer.name == name
            )
            return (await session.scalars(query)).first()

    async def list_for_user(self, user_id: str) -> Sequence[N8nServer]:
        async with self._database.read() as session:
            query = (
                select(N8nServer)
                .where(N8nServer.user_id == user_id)
                .order_by(N8nServer.is_default.desc(), N8nServer.name)
            )
            return (await session.scalars(query)).all()

    async def default_for_user(self, user_id: str) -> N8nServer | None:
        servers = await self.list_for_user(user_id)
        return servers[0] if servers else None

    async def create(
        self,
        *,
        user_id: str,
        name: str,
        base_url: str,
        n8n_version: str | None = None,
        make_default: bool = False,
    ) -> N8nServer:
        """Add a server; the user's first server becomes the default."""
        try:
            async with self._database.write() as session:
                existing = (
                    await session.scalars(
                        select(N8nServer.id).where(N8nServer.user_id == user_id)
                    )
                ).first()
                is_default = make_default or existing is None
                if is_default:
                    await session.execute(
                        update(N8nServer)
                        .where(N8nServer.user_id == user_id)
                        .values(is_default=False)
                    )
                server = N8nServer(
                    user_id=user_id,
                    name=name.strip(),
                    base_url=base_url.strip().rstrip("/"),
                    n8n_version=n8n_version,
                    is_default=is_default,
                )
                session.add(server)
        except IntegrityError as error:
            raise _name_taken(name) from error
        return server

    async def update(
        self,
        server_id: str,
        *,
        name: str | None = None,
        base_url: str | None = None,
        n8n_version: str | None = None,
    ) -> N8nServer:
        try:
            async with self._database.write() as session:
                server = await session.get(N8nServer, server_id)
                if server is None:
                    raise NotFound("That n8n server is not configured.")
                if name is not None:
                    server.name = name.strip()
                if base_url is not None:
                    server.base_url = base_url.strip().rstrip("/")
                if n8n_version is not None:
                    server.n8n_version = n8n_version
        except IntegrityError as error:
            raise _name_taken(name or "") from error
        return server

    async def set_default(self, server_id: str) -> None:
        async with self._database.write() as session:
            server = await session.get(N8nServer, server_id)
            if server is None:
                raise NotFound("That n8n server is not configured.")
            await session.execute(
                update(N8nServer)
                .where(N8nServer.user_id == server.user_id)
                .values(is_default=N8nServer.id == server_id)
            )

    async def delete(self, server_id: str) -> None:
        """Remove a server that has no live installations left on it.

        Installations already removed are forgotten with it.
        """
        async with self._database.write() as session:
            server = await session.get(N8nServer, server_id)
            if server is None:
                raise NotFound("That n8n server is not configured.")
            live = (
                await session.scalars(
                    select(MantraInstallation.id).where(
                        MantraInstallation.server_id == server_id,
                        MantraInstallation.state != InstallationState.REMOVED,
                    )
                )
            ).first()
            if live is not None:
                raise InUse(
                    f"{server.name} still has installed mantras: uninstall them first."
                )
            for installation in (
                await session.scalars(
                    select(MantraInstallation).where(
                        MantraInstallation.server_id == server_id
                    )
                )
            ).all():
                await session.delete(installation)
            was_default = server.is_default
            user_id = server.user_id
            await session.delete(server)
            await session.flush()
            if was_default:
                successor = (
                    await session.scalars(
                        select(N8nServer)
                        .where(N8nServer.user_id == user_id)
                        .order_by(N8nServer.name)
                    )
                ).first()
                if successor is not None:
                    successor.is_default = True
