"""Mantra Desktop: n8n workflow templates, installed into your own servers."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mantra-desktop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

APP_NAME = "Mantra Desktop"
APP_ID = "mantra-desktop"
# The reverse-DNS id of the .desktop and AppStream files.
DESKTOP_ID = "org.mantradesktop.MantraDesktop"
