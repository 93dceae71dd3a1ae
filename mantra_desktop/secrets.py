"""The one door to the operating system's keychain.

Every secret the app keeps (an n8n server's API key, a Google account's tokens, the
Google OAuth client secret) is stored here, in the keychain that the ``keyring``
package finds (Secret Service on Linux: GNOME Keyring or KWallet), under the service
name ``mantra-desktop``. There is no plaintext fallback: without a usable keychain
every call raises :class:`KeychainUnavailable`.

The calls are blocking (Secret Service goes over D-Bus); from the event loop, run them
through ``asyncio.to_thread`` when a prompt to unlock the keychain is possible.

On a machine without a desktop session (a server, a test run), choose the backend
with keyring's own ``PYTHON_KEYRING_BACKEND`` environment variable, set to the
dotted name of a ``keyring.backend.KeyringBackend`` class (for example a
keyring-compatible backend of an encrypted file or of a secrets manager). The
command-line tests run their commands with a file-backed test backend this way.
"""

from __future__ import annotations

import logging

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import fail, null

logger = logging.getLogger(__name__)

SERVICE = "mantra-desktop"

_NO_KEYCHAIN_MESSAGE = (
    "No system keychain is available: install and unlock a Secret Service provider "
    "such as GNOME Keyring or KWallet"
)
_LOCKED_MESSAGE = "The system keychain is locked: unlock it and try again"


class KeychainError(Exception):
    """The keychain refused or failed an operation; the message is for the user."""


class KeychainUnavailable(KeychainError):
    """There is no usable keychain, or it is locked; nothing was stored or read."""


def server_api_key_name(server_id: str) -> str:
    """Return the keychain entry name of an n8n server's API key."""
    return f"n8n-server/{server_id}/api-key"


def google_tokens_name(google_auth_id: str) -> str:
    """Return the keychain entry name of a linked Google account's tokens.

    The value stored there is one JSON string (see ``google.tokens``).
    """
    return f"google-account/{google_auth_id}/tokens"


def google_client_secret_name(client_id: str) -> str:
    """Return the keychain entry name of the secret of a Google OAuth client."""
    return f"google-client/{client_id}/secret"


def store(name: str, value: str) -> None:
    """Store ``value`` under ``name``, replacing any previous value.

    Raises:
        KeychainUnavailable: no usable keychain, or it is locked.
        KeychainError: the keychain refused to store the value.
    """
    backend = _usable_backend()
    try:
        backend.set_password(SERVICE, name, value)
    except keyring.errors.KeyringError as error:
        raise _translate(error, "store") from error
    logger.debug("Stored keychain entry %s", name)


def load(name: str) -> str | None:
    """Return the value stored under ``name``, or None when there is none.

    Raises:
        KeychainUnavailable: no usable keychain, or it is locked.
        KeychainError: the keychain refused to read the value.
    """
    backend = _usable_backend()
    try:
        return backend.get_password(SERVICE, name)
    except keyring.errors.KeyringError as error:
        raise _translate(error, "read") from error


def forget(name: str) -> None:
    """Remove the value stored under ``name``; a missing entry is not an error.

    Raises:
        KeychainUnavailable: no usable keychain, or it is locked.
        KeychainError: the keychain refused to remove the value.
    """
    backend = _usable_backend()
    try:
        backend.delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        logger.debug("Keychain entry %s was already absent", name)
        return
    except keyring.errors.KeyringError as error:
        raise _translate(error, "remove") from error
    logger.debug("Removed keychain entry %s", name)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keychain held in this process's memory, lost when it exits.

    For tests and for debugging on a machine without a keychain; install it with
    ``keyring.set_keyring(MemoryKeyring())``. Its negative priority keeps ``keyring``
    from ever choosing it on its own.
    """

    priority = -2

    def __init__(self) -> None:
        super().__init__()
        self._entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        """Return the stored value, or None."""
        return self._entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store a value, replacing any previous one."""
        self._entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        """Remove a value; raise PasswordDeleteError when there is none."""
        try:
            del self._entries[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError(username) from None


def _usable_backend() -> keyring.backend.KeyringBackend:
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        raise KeychainUnavailable(_NO_KEYCHAIN_MESSAGE)
    return backend


def _translate(error: keyring.errors.KeyringError, action: str) -> KeychainError:
    if isinstance(error, keyring.errors.NoKeyringError):
        return KeychainUnavailable(_NO_KEYCHAIN_MESSAGE)
    if isinstance(error, keyring.errors.KeyringLocked):
        return KeychainUnavailable(_LOCKED_MESSAGE)
    logger.warning(
        "The keychain could not %s an entry: %s", action, type(error).__name__
    )
    return KeychainError(f"The system keychain could not {action} the secret: {error}")
