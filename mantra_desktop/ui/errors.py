"""Turn any exception into a sentence for the user; the log keeps the rest."""

from __future__ import annotations

import asyncio
import logging

from mantra_desktop.db.errors import DatabaseError
from mantra_desktop.n8n.errors import N8nError
from mantra_desktop.repositories.errors import RepositoryError
from mantra_desktop.secrets import KeychainError
from mantra_desktop.services.errors import ServiceError

logger = logging.getLogger(__name__)

EXPLAINED_ERRORS: tuple[type[BaseException], ...] = (
    ServiceError,
    RepositoryError,
    DatabaseError,
    N8nError,
    KeychainError,
)


def register_explained(*error_types: type[BaseException]) -> None:
    """Declare more exception types whose message is meant for the user."""
    global EXPLAINED_ERRORS
    EXPLAINED_ERRORS = (*EXPLAINED_ERRORS, *error_types)


def user_message(error: BaseException, action: str = "") -> str:
    """A message for the user; unexpected errors are logged with a traceback."""
    if isinstance(error, EXPLAINED_ERRORS):
        logger.warning("%s failed: %s", action or "An action", error)
        return str(error)
    if isinstance(error, asyncio.TimeoutError):
        logger.warning("%s timed out", action or "An action")
        return "The operation took too long and was stopped."
    logger.error("%s failed unexpectedly", action or "An action", exc_info=error)
    return (
        "Something unexpected went wrong"
        + (f" while trying to {action}" if action else "")
        + ". The details are in the log (Help > Open log folder)."
    )
