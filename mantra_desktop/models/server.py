"""An n8n server a user installs mantras into; its API key is in the keychain."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mantra_desktop.models.base import Base, IdMixin, TimestampMixin

if TYPE_CHECKING:
    from mantra_desktop.models.installation import MantraInstallation
    from mantra_desktop.models.user import User


class N8nServer(IdMixin, TimestampMixin, Base):
    __tablename__ = "n8n_servers"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    base_url: Mapped[str] = mapped_column(String(2000), nullable=False)
    n8n_version: Mapped[str | None] = mapped_column(String(50))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    user: Mapped[User] = relationship(back_populates="servers")
    installations: Mapped[list[MantraInstallation]] = relationship(
        back_populates="server"
    )

    @property
    def major_version(self) -> int | None:
        if not self.n8n_version:
            return None
        head = self.n8n_version.split(".", 1)[0]
        return int(head) if head.isdigit() else None

    def __repr__(self) -> str:
        return f"N8nServer(id={self.id!r}, name={self.name!r})"
