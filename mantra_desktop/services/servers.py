"""The user's n8n servers: add, edit, remove, test, and open clients to them.

A server's row (name, address, detected version, default) is in the database; its
API key is only in the OS keychain, under ``secrets.server_api_key_name(server.id)``.
Without a usable keychain, adding or editing a key raises ``KeychainUnavailable``
and nothing is saved, not even the row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from mantra_desktop import secrets
from mantra_desktop.models import N8nServer
from mantra_desktop.n8n import N8nAuthError, N8nClient, N8nError, ServerInfo
from mantra_desktop.n8n.client import normalise_base_url, prepare_network
from mantra_desktop.repositories.servers import ServerRepository
from mantra_desktop.services.errors import ServiceError

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 15.0
"""Seconds a server has to answer one request."""


@dataclass(frozen=True)
class ConnectionReport:
    """What a connection test found: the version, and whether the key works."""

    version: str
    key_accepted: bool
    message: str


class ServerService:
    """Servers of one user; every method that reaches the network is async.

    ``timeout`` is given to every client this service opens.
    """

    def __init__(
        self,
        servers: ServerRepository,
        user_id: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._servers = servers
        self._user_id = user_id
        self.timeout = timeout

    async def list_servers(self) -> Sequence[N8nServer]:
        """Return the user's servers, the default first."""
        return await self._servers.list_for_user(self._user_id)

    async def get(self, server_id: str) -> N8nServer:
        """Return one server; raises ``NotFound`` if it is gone."""
        return await self._servers.require(server_id)

    async def by_name(self, name: str) -> N8nServer:
        """Return the server called ``name``; raises ``ServiceError`` if none."""
        server = await self._servers.get_by_name(self._user_id, name)
        if server is None:
            raise ServiceError(f"You have no server named {name!r}.")
        return server

    async def default(self) -> N8nServer | None:
        """Return the default server, or None when there is no server yet."""
        return await self._servers.default_for_user(self._user_id)

    async def test(self, base_url: str, api_key: str) -> ServerInfo:
        """Check an address and key before saving them; raises ``N8nError``."""
        await prepare_network()
        async with self._client(base_url, api_key) as client:
            return await client.server_info()

    async def add(
        self,
        name: str,
        base_url: str,
        api_key: str,
        *,
        make_default: bool = False,
        version: str | None = None,
    ) -> N8nServer:
        """Save a server and put its key in the keychain.

        The keychain is checked first, so a missing keychain stores nothing. The
        key is not tested here: call ``test`` first when the user wants that.
        """
        name, url = _clean_name(name), normalise_base_url(_required_url(base_url))
        if not api_key.strip():
            raise ServiceError("Enter the server's API key.")
        await asyncio.to_thread(secrets.load, secrets.server_api_key_name("probe"))
        server = await self._servers.create(
            user_id=self._user_id,
            name=name,
            base_url=url,
            n8n_version=version or None,
            make_default=make_default,
        )
        try:
            await self._store_key(server.id, api_key.strip())
        except BaseException:
            await self._servers.delete(server.id)
            raise
        logger.info("Added n8n server %s at %s", name, url)
        return server

    async def edit(
        self,
        server_id: str,
        *,
        name: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        make_default: bool = False,
        version: str | None = None,
    ) -> N8nServer:
        """Change a server; ``api_key`` None or empty keeps the stored key."""
        if api_key and api_key.strip():
            await self._store_key(server_id, api_key.strip())
        server = await self._servers.update(
            server_id,
            name=_clean_name(name) if name is not None else None,
            base_url=(
                normalise_base_url(_required_url(base_url))
                if base_url is not None
                else None
            ),
            n8n_version=version or None,
        )
        if make_default:
            await self._servers.set_default(server_id)
        return server

    async def set_default(self, server_id: str) -> None:
        """Make ``server_id`` the server installs go to unless told otherwise."""
        await self._servers.set_default(server_id)

    async def remove(self, server_id: str) -> None:
        """Forget a server with no live installations, and its key."""
        await self._servers.delete(server_id)
        await asyncio.to_thread(secrets.forget, secrets.server_api_key_name(server_id))
        logger.info("Removed n8n server %s", server_id)

    async def check(self, server_id: str) -> ConnectionReport:
        """Test a saved server and remember the version it reports.

        Never raises for a network or key problem: the report says what happened.
        """
        server = await self._servers.require(server_id)
        try:
            async with await self.client(server) as client:
                info = await client.server_info()
        except N8nAuthError as error:
            return ConnectionReport(server.n8n_version or "", False, str(error))
        except (N8nError, ServiceError) as error:
            return ConnectionReport(server.n8n_version or "", False, str(error))
        if info.version and info.version != server.n8n_version:
            await self._servers.update(server_id, n8n_version=info.version)
        return ConnectionReport(
            info.version, True, f"Connected: n8n {info.version or '(version unknown)'}"
        )

    async def api_key(self, server_id: str) -> str:
        """Return a server's API key from the keychain; raises if it is missing."""
        key = await asyncio.to_thread(
            secrets.load, secrets.server_api_key_name(server_id)
        )
        if not key:
            raise ServiceError(
                "The API key of this server is not in the keychain: edit the server "
                "and enter it again."
            )
        return key

    async def client(self, server: N8nServer) -> N8nClient:
        """Open a client to a saved server; the caller closes it (``async with``)."""
        key = await self.api_key(server.id)
        await prepare_network()
        return self._client(server.base_url, key)

    def _client(self, base_url: str, api_key: str) -> N8nClient:
        return N8nClient(base_url, api_key, timeout=self.timeout)

    async def _store_key(self, server_id: str, api_key: str) -> None:
        await asyncio.to_thread(
            secrets.store, secrets.server_api_key_name(server_id), api_key
        )


def _clean_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise ServiceError("Give the server a name.")
    return cleaned


def _required_url(base_url: str) -> str:
    if not base_url.strip():
        raise ServiceError("Enter the server's address, such as http://127.0.0.1:5678.")
    return base_url
