"""A mantra installed (or being installed) on one of the user's n8n servers."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mantra_desktop.models.base import Base, IdMixin, TimestampMixin

if TYPE_CHECKING:
    from mantra_desktop.models.mantra import Mantra
    from mantra_desktop.models.server import N8nServer
    from mantra_desktop.models.user import User


class InstallationState(enum.StrEnum):
    PENDING = "pending"
    INSTALLED = "installed"
    FAILED = "failed"
    REMOVED = "removed"


class MantraInstallation(IdMixin, TimestampMixin, Base):
    __tablename__ = "mantra_installations"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    mantra_id: Mapped[str] = mapped_column(
        ForeignKey("mantras.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    server_id: Mapped[str] = mapped_column(
        ForeignKey("n8n_servers.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    n8n_workflow_id: Mapped[str | None] = mapped_column(String(64))
    mantra_version: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[str] = mapped_column(
        String(20), default=InstallationState.PENDING, nullable=False, index=True
    )
    error: Mapped[str | None] = mapped_column(Text)
    bindings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, nullable=False)
    workflow_hash: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship(back_populates="installations")
    mantra: Mapped[Mantra] = relationship(back_populates="installations")
    server: Mapped[N8nServer] = relationship(back_populates="installations")

    def __repr__(self) -> str:
        return (
            f"MantraInstallation(id={self.id!r}, state={self.state!r}, "
            f"workflow={self.n8n_workflow_id!r})"
        )
