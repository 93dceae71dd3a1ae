"""A person using the app: the owner of servers, accounts and installations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mantra_desktop.models.base import Base, IdMixin, TimestampMixin

if TYPE_CHECKING:
    from mantra_desktop.models.google_auth import GoogleAuth
    from mantra_desktop.models.installation import MantraInstallation
    from mantra_desktop.models.mantra import Mantra
    from mantra_desktop.models.server import N8nServer


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)

    google_auths: Mapped[list[GoogleAuth]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    mantras: Mapped[list[Mantra]] = relationship(back_populates="user")
    installations: Mapped[list[MantraInstallation]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    servers: Mapped[list[N8nServer]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email!r})"
