"""Turn any exception into a sentence for the user; the log keeps the rest."""

from __future__ import annotations

import asyncio
import logging

logger = logging.getLogger(__name__)


def user_message(error: BaseException, action: str = "") -> str:
    """A message for the user; unexpected errors are logged with a traceback."""
    from mantra_desktop.services.errors import explained_errors

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
