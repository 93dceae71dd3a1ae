"""Logging to a rotating file in the user log folder (and stderr when debugging).

Secrets never reach a log: code logs names and ids, never keys or tokens, and
a filter masks anything that looks like an API key or bearer token in case a
library logs a header.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
MAX_BYTES = 2_000_000
BACKUP_COUNT = 5

_SECRET_PATTERNS = [
    re.compile(r"(X-N8N-API-KEY['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+", re.IGNORECASE),
    re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE),
    re.compile(
        r"((?:access|refresh|id)_token['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+",
        re.IGNORECASE,
    ),
    re.compile(r"(client_secret['\"]?\s*[:=]\s*['\"]?)[^\s'\",}&]+", re.IGNORECASE),
]


def mask_secrets(message: str) -> str:
    for pattern in _SECRET_PATTERNS:
        message = pattern.sub(r"\1***", message)
    return message


class SecretMaskingFilter(logging.Filter):
    """Mask header values and tokens that a library may put in a message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure_logging(log_file: Path, *, debug: bool = False) -> None:
    """Send the app's log to ``log_file`` (rotated), and to stderr with ``debug``."""
    import logging.handlers

    log_file.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "mantra_handler", False):
            root.removeHandler(handler)
            handler.close()
    handlers: list[logging.Handler] = [
        logging.handlers.RotatingFileHandler(
            log_file, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    ]
    if debug:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(SecretMaskingFilter())
        handler.mantra_handler = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for noisy in (
        "httpx",
        "httpcore",
        "asyncio",
        "urllib3",
        "requests_oauthlib",
        "alembic.runtime.plugins",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # qasync logs the arguments and results of executor calls at debug level,
    # which may include secrets read from the keychain in a worker thread.
    logging.getLogger("qasync").setLevel(logging.INFO)
