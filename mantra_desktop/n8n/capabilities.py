"""What differs between n8n 1.x and 2.x, as far as the public API shows it.

The client handles both generations on its own (it retries the short 2.x windows and
deactivates before deleting); these flags let services explain to the user what a server
can do before trying, and let the client skip a request it knows will fail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mantra_desktop.n8n.node_catalog import RELEASE_NODE_TYPES

# Fields n8n's OAuth2 credential schemas on 1.x wrongly require when the client sends
# only the client id, secret and tokens. Empty values are accepted by 1.x and 2.x alike.
_OAUTH2_SCHEMA_FILLERS: dict[str, Any] = {
    "serverUrl": "",
    "sendAdditionalBodyProperties": False,
    "additionalBodyProperties": {},
}

_VERSION = re.compile(r"^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")


@dataclass(frozen=True)
class Capabilities:
    """Behaviour of one n8n release line, derived from its version.

    ``major`` is 0 when the version is unknown; the flags then describe the older
    behaviour, and the client still copes with the newer one when it meets it.
    """

    major: int
    publishes_workflows: bool
    """Activation publishes a version; a published workflow must be unpublished
    (deactivated) before it can be deleted."""

    lists_credentials: bool
    """``GET /credentials`` exists; older servers answer 405."""

    registers_webhooks_late: bool
    """Right after activation a production webhook answers 404 for a fraction of a
    second, so a caller that triggers it at once should retry briefly."""

    accepts_pin_data_on_create: bool
    """``staticData`` and ``pinData`` are accepted when creating a workflow."""

    @classmethod
    def for_version(cls, version: str | None) -> Capabilities:
        """Return the capabilities of the n8n release ``version`` ("1.123.50")."""
        major = major_version(version)
        newer = major >= 2
        return cls(
            major=major,
            publishes_workflows=newer,
            lists_credentials=newer,
            registers_webhooks_late=newer,
            accepts_pin_data_on_create=newer,
        )


def major_version(version: str | None) -> int:
    """Return the major number of an n8n version string, or 0 if it cannot be read."""
    if not version:
        return 0
    match = _VERSION.match(version)
    return int(match.group(1)) if match else 0


def version_key(version: str | None) -> tuple[int, int, int]:
    """Return (major, minor, patch) of a version string; zeros for what is missing."""
    match = _VERSION.match(version or "")
    if not match:
        return (0, 0, 0)
    major, minor, patch = (int(part or 0) for part in match.groups())
    return (major, minor, patch)


def bundled_node_types(version: str | None) -> frozenset[str]:
    """Return the core node types of the recorded n8n release closest to ``version``.

    Prefers the newest recorded release of the same major line that is not newer
    than ``version``, then the oldest newer one of that line. With no release of
    that line recorded, a newer server gets the newest catalog; an older or unknown
    one gets every recorded type, so nothing valid is reported as unknown.
    """
    if version in RELEASE_NODE_TYPES:
        return RELEASE_NODE_TYPES[version]
    wanted = version_key(version)
    releases = sorted(RELEASE_NODE_TYPES, key=version_key)
    same_line = [r for r in releases if version_key(r)[0] == wanted[0]]
    if same_line:
        older = [r for r in same_line if version_key(r) <= wanted]
        return RELEASE_NODE_TYPES[older[-1] if older else same_line[0]]
    if wanted[0] > version_key(releases[-1])[0]:
        return RELEASE_NODE_TYPES[releases[-1]]
    return frozenset().union(*RELEASE_NODE_TYPES.values())


def is_oauth2_credential_type(credential_type: str) -> bool:
    """Tell whether an n8n credential type name is an OAuth2 one (gmailOAuth2, ...)."""
    return "oauth2" in credential_type.lower()


def credential_data_for_create(
    credential_type: str, data: Mapping[str, Any]
) -> dict[str, Any]:
    """Return ``data`` completed so that both n8n 1.x and 2.x accept it on create.

    For OAuth2 types, 1.x validates against a generated schema that requires
    ``serverUrl``, ``sendAdditionalBodyProperties`` and ``additionalBodyProperties``
    even for Google credentials; empty values satisfy it and change nothing on 2.x.
    Values the caller set are kept.
    """
    completed = dict(data)
    if is_oauth2_credential_type(credential_type):
        for key, value in _OAUTH2_SCHEMA_FILLERS.items():
            completed.setdefault(key, value)
    return completed
