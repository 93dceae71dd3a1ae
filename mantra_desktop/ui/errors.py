"""Turn any exception into a sentence for the user; the log keeps the rest."""

from __future__ import annotations

import asyncio
import functools
import logging

logger = logging.getLogger(__name__)

_registered: list[type[BaseException]] = []


@functools.cache
def _base_explained() -> tuple[type[BaseException], ...]:
    # Imported on first use: the window paints before these libraries load.
    from mantra_desktop.db.errors import DatabaseError
    from mantra_desktop.n8n.errors import N8nError
    from mantra_desktop.repositories.errors import RepositoryError
    from mantra_desktop.secrets import KeychainError
    from mantra_desktop.services.errors import ServiceError

    return (ServiceError, RepositoryError, DatabaseError, N8nError, KeychainError)


def register_explained(*error_types: type[BaseException]) -> None:
    """Declare more exception types whose message is meant for the user."""
    _registered.extend(error_types)


def explained_errors() -> tuple[type[BaseException], ...]:
    """Exception types whose ``str()`` is written for the user."""
    return (*_base_explained(), *_registered)


def user_message(error: BaseException, action: str = "") -> str:
    """A message for the user; unexpected errors are logged with a traceback."""
    if isinstance(error, explained_errors()):
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
