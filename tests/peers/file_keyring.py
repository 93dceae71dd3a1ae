"""A keychain kept in one JSON file, for command-line tests in a child process.

The in-memory keychain the tests install lives only in the test process; a
command run with ``subprocess`` needs a keychain of its own that the test can
see too. ``keyring`` chooses its backend from the ``PYTHON_KEYRING_BACKEND``
environment variable, so a child started with::

    PYTHON_KEYRING_BACKEND=tests.peers.file_keyring.FileKeyring
    MANTRA_TEST_KEYRING_FILE=<a file in the test's temporary folder>

stores its secrets in that file (readable by its owner only). It is for tests:
the file is plain JSON.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend
import keyring.errors

FILE_VARIABLE = "MANTRA_TEST_KEYRING_FILE"
BACKEND_NAME = "tests.peers.file_keyring.FileKeyring"


def environment_for(path: Path) -> dict[str, str]:
    """Return the variables that make a child process use a keychain at ``path``."""
    return {"PYTHON_KEYRING_BACKEND": BACKEND_NAME, FILE_VARIABLE: str(path)}


class FileKeyring(keyring.backend.KeyringBackend):
    """Secrets in the JSON file named by ``MANTRA_TEST_KEYRING_FILE``.

    Its negative priority keeps ``keyring`` from ever choosing it on its own.
    """

    priority = -1

    def _path(self) -> Path:
        value = os.environ.get(FILE_VARIABLE)
        if not value:
            raise keyring.errors.KeyringError(f"{FILE_VARIABLE} is not set")
        return Path(value)

    def _entries(self) -> dict[str, str]:
        path = self._path()
        if not path.exists():
            return {}
        entries: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        return entries

    def _write(self, entries: dict[str, str]) -> None:
        path = self._path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(entries), encoding="utf-8")
        path.chmod(0o600)

    def get_password(self, service: str, username: str) -> str | None:
        """Return the stored value, or None."""
        return self._entries().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store a value, replacing any previous one."""
        entries = self._entries()
        entries[f"{service}/{username}"] = password
        self._write(entries)

    def delete_password(self, service: str, username: str) -> None:
        """Remove a value; raise PasswordDeleteError when there is none."""
        entries = self._entries()
        if entries.pop(f"{service}/{username}", None) is None:
            raise keyring.errors.PasswordDeleteError(username)
        self._write(entries)
