"""A Google account linked by a user.

Only the non-secret part of the grant is kept here (scopes, expiry,
endpoints, client id); the access and refresh tokens live in the keychain,
keyed by this row's id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mantra_desktop.models.base import Base, IdMixin, TimestampMixin

if TYPE_CHECKING:
    from mantra_desktop.models.user import User


class GoogleAuth(IdMixin, TimestampMixin, Base):
    __tablename__ = "google_auth"
    __table_args__ = (UniqueConstraint("user_id", "subject"),)

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    credentials: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, nullable=False
    )
    email: Mapped[str] = mapped_column(String(320), nullable=False, index=True)
    subject: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    name: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship(back_populates="google_auths")

    @property
    def scopes(self) -> list[str]:
        return list(self.credentials.get("scopes", []))

    def __repr__(self) -> str:
        return f"GoogleAuth(id={self.id!r}, email={self.email!r})"
