"""Errors a use case raises for the user to read; ``str()`` says what to do."""

from __future__ import annotations

import functools


class ServiceError(Exception):
    """A use case could not be carried out, for a reason the user can act on."""


@functools.cache
def explained_errors() -> tuple[type[BaseException], ...]:
    """Every exception type whose ``str()`` is written for the user.

    The window and the command line show these as they are and log the rest
    with a traceback. The layers are imported on first use, so nothing heavy
    loads before the window paints.
    """
    from mantra_desktop.db.errors import DatabaseError
    from mantra_desktop.google.client import ClientFileError, DiscoveryError
    from mantra_desktop.google.identity import IdentityError
    from mantra_desktop.google.loopback import AuthorizationError
    from mantra_desktop.google.tokens import TokenError
    from mantra_desktop.n8n.errors import N8nError
    from mantra_desktop.repositories.errors import RepositoryError
    from mantra_desktop.secrets import KeychainError

    return (
        ServiceError,
        RepositoryError,
        DatabaseError,
        N8nError,
        KeychainError,
        AuthorizationError,
        TokenError,
        IdentityError,
        ClientFileError,
        DiscoveryError,
    )
