"""Where the app keeps its files, and how it finds its database.

Everything here is plain Python: the command line and the UI both read it.
On Linux the folders follow the XDG base directory variables, so a test (or a
user) can move every file the app writes by setting ``XDG_DATA_HOME``,
``XDG_STATE_HOME``, ``XDG_CACHE_HOME`` and ``XDG_CONFIG_HOME``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from mantra_desktop import APP_ID

DATABASE_FILE_NAME = "mantra.db"


@dataclass(frozen=True)
class AppPaths:
    """The user folders the app writes to; nothing else is ever written."""

    data_dir: Path
    log_dir: Path
    cache_dir: Path
    config_dir: Path

    @property
    def database_file(self) -> Path:
        return self.data_dir / DATABASE_FILE_NAME

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def log_file(self) -> Path:
        return self.log_dir / f"{APP_ID}.log"


def app_paths() -> AppPaths:
    """Return the per-user folders for this platform (not created here)."""
    import platformdirs

    return AppPaths(
        data_dir=platformdirs.user_data_path(APP_ID, appauthor=False),
        log_dir=platformdirs.user_log_path(APP_ID, appauthor=False),
        cache_dir=platformdirs.user_cache_path(APP_ID, appauthor=False),
        config_dir=platformdirs.user_config_path(APP_ID, appauthor=False),
    )


def bundle_root() -> Path:
    """Return the folder that holds ``migrations/`` and ``resources/``.

    From a source tree that is the repository root; in a PyInstaller build it
    is the bundle's data folder, where the spec puts both.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def migrations_dir() -> Path:
    return bundle_root() / "migrations"


def resources_dir() -> Path:
    return bundle_root() / "resources"


def normalise_database_url(url: str) -> str:
    """Turn what a user may type into an async SQLAlchemy URL.

    ``postgresql://`` and ``postgres://`` gain the asyncpg driver, ``sqlite://``
    gains aiosqlite, and a bare file path becomes a SQLite URL.
    """
    url = url.strip()
    if "://" not in url:
        return f"sqlite+aiosqlite:///{Path(url).expanduser().resolve()}"
    scheme, rest = url.split("://", 1)
    scheme = {
        "postgres": "postgresql+asyncpg",
        "postgresql": "postgresql+asyncpg",
        "sqlite": "sqlite+aiosqlite",
    }.get(scheme, scheme)
    return f"{scheme}://{rest}"


def resolve_database_url(
    cli_value: str | None, paths: AppPaths, environ: dict[str, str] | None = None
) -> str:
    """Pick the database: ``--database``, then ``DATABASE_URL``, then the default."""
    environ = dict(os.environ) if environ is None else environ
    chosen = cli_value or environ.get("DATABASE_URL")
    if chosen:
        return normalise_database_url(chosen)
    return f"sqlite+aiosqlite:///{paths.database_file}"


def describe_database_url(url: str) -> str:
    """Return the URL with any password masked, for logs and messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a URL we cannot parse is shown as the user typed it
        return url
