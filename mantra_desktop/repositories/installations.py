"""Installations of mantras on n8n servers, and their lifecycle states.

A row is written ``pending`` before any call to a server, then marked
``installed`` or ``failed``; ``removed`` once the workflow is gone from the
server. A ``pending`` row found at start means the app stopped half-way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mantra_desktop.db.engine import Database
from mantra_desktop.models import InstallationState, MantraInstallation
from mantra_desktop.repositories.errors import InvalidChange, NotFound

LIVE_STATES = (InstallationState.PENDING, InstallationState.INSTALLED)


class InstallationRepository:
    def __init__(self, database: Database) -> None:
        self._database = database

    def _query(self) -> Any:
        return select(MantraInstallation).options(
            selectinload(MantraInstallation.mantra),
            selectinload(MantraInstallation.server),
        )

    async def get(self, installation_id: str) -> MantraInstallation | None:
        async with self._database.read() as session:
            query = self._query().where(MantraInstallation.id == installation_id)
            return (await session.scalars(query)).first()

    async def require(self, installation_id: str) -> MantraInstallation:
        installation = await self.get(installation_id)
        if installation is None:
            raise NotFound("That installation does not exist.")
        return installation

    async def create_pending(
        self,
        *,
        user_id: str,
        mantra_id: str,
        server_id: str,
        mantra_version: int,
        bindings: dict[str, Any] | None = None,
        installation_id: str | None = None,
        workflow_hash: str | None = None,
    ) -> MantraInstallation:
        """Write a ``pending`` row and commit it.

        ``installation_id`` fixes the row's id (a new one by default), so the
        workflow can be prepared, and its fingerprint given as ``workflow_hash``,
        before the row exists: one commit then does what ``record_plan`` would.
        """
        installation = MantraInstallation(
            user_id=user_id,
            mantra_id=mantra_id,
            server_id=server_id,
            mantra_version=mantra_version,
            state=InstallationState.PENDING,
            bindings=dict(bindings or {}),
            workflow_hash=workflow_hash,
        )
        if installation_id is not None:
            installation.id = installation_id
        async with self._database.write() as session:
            session.add(installation)
        return installation

    async def _change(
        self,
        installation_id: str,
        *,
        allowed_from: tuple[str, ...],
        **values: Any,
    ) -> MantraInstallation:
        async with self._database.write() as session:
            installation = await session.get(MantraInstallation, installation_id)
            if installation is None:
                raise NotFound("That installation does not exist.")
            if installation.state not in allowed_from:
                raise InvalidChange(
                    f"The installation is {installation.state}; it cannot become "
                    f"{values.get('state', 'changed')}."
                )
            for key, value in values.items():
                setattr(installation, key, value)
        return installation

    async def record_plan(
        self, installation_id: str, workflow_hash: str
    ) -> MantraInstallation:
        """Remember the fingerprint of the workflow about to be sent.

        A pending row that has it can be matched to the workflow on the server
        after a crash between the create call and the next commit.
        """
        return await self._change(
            installation_id,
            allowed_from=(InstallationState.PENDING,),
            workflow_hash=workflow_hash,
        )

    async def record_workflow(
        self, installation_id: str, n8n_workflow_id: str
    ) -> MantraInstallation:
        """Remember the server's workflow id as soon as it exists."""
        return await self._change(
            installation_id,
            allowed_from=(InstallationState.PENDING,),
            n8n_workflow_id=n8n_workflow_id,
        )

    async def mark_installed(
        self,
        installation_id: str,
        *,
        n8n_workflow_id: str,
        workflow_hash: str,
        mantra_version: int | None = None,
        bindings: dict[str, Any] | None = None,
    ) -> MantraInstallation:
        values: dict[str, Any] = {
            "state": InstallationState.INSTALLED,
            "n8n_workflow_id": n8n_workflow_id,
            "workflow_hash": workflow_hash,
            "error": None,
        }
        if mantra_version is not None:
            values["mantra_version"] = mantra_version
        if bindings is not None:
            values["bindings"] = dict(bindings)
        return await self._change(installation_id, allowed_from=LIVE_STATES, **values)

    async def mark_failed(
        self, installation_id: str, error: str, *, n8n_workflow_id: str | None = None
    ) -> MantraInstallation:
        """Mark a pending row failed; ``n8n_workflow_id`` names what was undone."""
        values: dict[str, Any] = {"state": InstallationState.FAILED, "error": error}
        if n8n_workflow_id is not None:
            values["n8n_workflow_id"] = n8n_workflow_id
        return await self._change(
            installation_id, allowed_from=(InstallationState.PENDING,), **values
        )

    async def mark_removed(self, installation_id: str) -> MantraInstallation:
        return await self._change(
            installation_id,
            allowed_from=(*LIVE_STATES, InstallationState.FAILED),
            state=InstallationState.REMOVED,
            is_active=False,
        )

    async def set_error(
        self, installation_id: str, error: str | None
    ) -> MantraInstallation:
        """Record (or clear) the last error of an operation that kept the state."""
        return await self._change(
            installation_id,
            allowed_from=tuple(InstallationState),
            error=error,
        )

    async def list_for_user(
        self, user_id: str, *, include_removed: bool = False
    ) -> Sequence[MantraInstallation]:
        query = self._query().where(MantraInstallation.user_id == user_id)
        return await self._list(query, include_removed)

    async def list_for_server(
        self, server_id: str, *, include_removed: bool = False
    ) -> Sequence[MantraInstallation]:
        query = self._query().where(MantraInstallation.server_id == server_id)
        return await self._list(query, include_removed)

    async def list_for_mantra(
        self, mantra_id: str, *, user_id: str | None = None
    ) -> Sequence[MantraInstallation]:
        query = self._query().where(MantraInstallation.mantra_id == mantra_id)
        if user_id is not None:
            query = query.where(MantraInstallation.user_id == user_id)
        return await self._list(query, include_removed=False)

    async def list_pending(
        self, user_id: str | None = None
    ) -> Sequence[MantraInstallation]:
        query = self._query().where(
            MantraInstallation.state == InstallationState.PENDING
        )
        if user_id is not None:
            query = query.where(MantraInstallation.user_id == user_id)
        async with self._database.read() as session:
            return (await session.scalars(query)).all()

    async def _list(
        self, query: Any, include_removed: bool
    ) -> Sequence[MantraInstallation]:
        if not include_removed:
            query = query.where(MantraInstallation.state != InstallationState.REMOVED)
        query = query.order_by(MantraInstallation.created_at.desc())
        async with self._database.read() as session:
            return (await session.scalars(query)).all()
