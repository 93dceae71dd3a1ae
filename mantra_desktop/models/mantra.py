"""A mantra: an n8n workflow template with what the catalog knows about it.

``apps``, ``apps_label``, ``trigger_kind``, ``credential_types`` and
``node_count`` are derived from ``workflow_json`` whenever it changes; the
facets table repeats apps and credential types one row each, so the catalog
can filter and count on them with an index.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mantra_desktop.models.base import Base, IdMixin, TimestampMixin

if TYPE_CHECKING:
    from mantra_desktop.models.installation import MantraInstallation
    from mantra_desktop.models.user import User


class MantraOrigin(enum.StrEnum):
    BUNDLED = "bundled"
    IMPORTED = "imported"
    CREATED = "created"
    SERVER = "server"


class TriggerKind(enum.StrEnum):
    SCHEDULE = "schedule"
    WEBHOOK = "webhook"
    APP_EVENT = "app_event"
    MANUAL = "manual"
    NONE = "none"


class FacetKind(enum.StrEnum):
    APP = "app"
    CREDENTIAL = "credential"


class Mantra(IdMixin, TimestampMixin, Base):
    __tablename__ = "mantras"
    __table_args__ = (
        Index("ix_mantras_name", "name"),
        Index("ix_mantras_is_active", "is_active"),
        Index("ix_mantras_updated_at", "updated_at"),
    )

    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    workflow_json: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)

    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    origin: Mapped[str] = mapped_column(
        String(20), default=MantraOrigin.CREATED, nullable=False
    )
    source: Mapped[str | None] = mapped_column(String(2000))
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    apps: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    apps_label: Mapped[str] = mapped_column(String(1000), default="", nullable=False)
    trigger_kind: Mapped[str] = mapped_column(
        String(20), default=TriggerKind.NONE, nullable=False, index=True
    )
    credential_types: Mapped[list[str]] = mapped_column(
        JSON, default=list, nullable=False
    )
    node_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    user: Mapped[User | None] = relationship(back_populates="mantras")
    installations: Mapped[list[MantraInstallation]] = relationship(
        back_populates="mantra"
    )
    facets: Mapped[list[MantraFacet]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"Mantra(id={self.id!r}, name={self.name!r}, v{self.version})"


class MantraFacet(Base):
    """One app or credential type a mantra uses, for filtering and counting."""

    __tablename__ = "mantra_facets"
    __table_args__ = (Index("ix_mantra_facets_kind_value", "kind", "value"),)

    mantra_id: Mapped[str] = mapped_column(
        ForeignKey("mantras.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
