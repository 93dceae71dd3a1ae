"""Mantra Desktop: n8n workflow templates, installed into your own servers."""

from __future__ import annotations

APP_NAME = "Mantra Desktop"
APP_ID = "mantra-desktop"
# The reverse-DNS id of the .desktop and AppStream files.
DESKTOP_ID = "org.mantradesktop.MantraDesktop"


def __getattr__(name: str) -> str:
    # The version is read from the installed metadata on first use only:
    # scanning the metadata costs tens of milliseconds at start-up.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version(APP_ID)
        except PackageNotFoundError:  # a source tree that was never installed
            found = "0.0.0"
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
