"""OAuth scopes: what linking an account asks for, what n8n's Google credentials need.

Scopes are always written as Google writes them in its token responses (full URLs,
except ``openid``). Asking for the short aliases ``email`` and ``profile`` makes Google
answer with the long names, and oauthlib then rejects the response as "Scope has
changed"; the local test provider is configured with the same long names.

The table :data:`CREDENTIAL_SCOPES` holds the default scopes n8n itself requests for
each of its Google OAuth2 credential types. ``googleOAuth2Api`` is n8n's generic
Google credential: its scopes are whatever the user enters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

OPENID = "openid"
USERINFO_EMAIL = "https://www.googleapis.com/auth/userinfo.email"
USERINFO_PROFILE = "https://www.googleapis.com/auth/userinfo.profile"

IDENTITY_SCOPES: frozenset[str] = frozenset({OPENID, USERINFO_EMAIL, USERINFO_PROFILE})
"""Enough to read the account's subject, email and name from the ID token."""

GENERIC_CREDENTIAL_TYPE = "googleOAuth2Api"

_API = "https://www.googleapis.com/auth/"
_ALIASES = {"email": USERINFO_EMAIL, "profile": USERINFO_PROFILE}


def _api(*names: str) -> frozenset[str]:
    return frozenset(_API + name for name in names)


CREDENTIAL_SCOPES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "gmailOAuth2": _api(
            "gmail.labels",
            "gmail.addons.current.action.compose",
            "gmail.addons.current.message.action",
            "gmail.modify",
            "gmail.compose",
        )
        | {"https://mail.google.com/"},
        "googleSheetsOAuth2Api": _api("drive.file", "spreadsheets"),
        "googleSheetsTriggerOAuth2Api": _api(
            "drive", "drive.file", "spreadsheets", "drive.metadata"
        ),
        "googleDriveOAuth2Api": _api("drive", "drive.appdata", "drive.photos.readonly"),
        "googleCalendarOAuth2Api": _api("calendar", "calendar.events"),
        "googleDocsOAuth2Api": _api("documents", "drive", "drive.file"),
        "googleSlidesOAuth2Api": _api("drive.file", "presentations"),
        "googleTasksOAuth2Api": _api("tasks"),
        "googleContactsOAuth2Api": _api("contacts"),
        "googleBigQueryOAuth2Api": _api("bigquery"),
        "googleAnalyticsOAuth2": _api("analytics", "analytics.readonly"),
        "youTubeOAuth2Api": _api(
            "youtube",
            "youtubepartner",
            "youtube.force-ssl",
            "youtube.upload",
            "youtubepartner-channel-audit",
        ),
        "googleAdsOAuth2Api": _api("adwords"),
        "googleTranslateOAuth2Api": _api("cloud-translation"),
        "googleCloudNaturalLanguageOAuth2Api": _api("cloud-language", "cloud-platform"),
        "googleCloudStorageOAuth2Api": _api(
            "cloud-platform",
            "cloud-platform.read-only",
            "devstorage.full_control",
            "devstorage.read_only",
            "devstorage.read_write",
        ),
        "googleChatOAuth2Api": _api("chat.spaces", "chat.messages", "chat.memberships"),
        GENERIC_CREDENTIAL_TYPE: frozenset(),
    }
)


class UnknownCredentialType(ValueError):
    """A credential type that is not one of n8n's Google OAuth2 types."""


def is_google_credential_type(credential_type: str) -> bool:
    """Whether an n8n credential type is a Google OAuth2 type this app can fill."""
    return credential_type in CREDENTIAL_SCOPES


def scopes_for(
    credential_types: Iterable[str], custom_scopes: Iterable[str] = ()
) -> set[str]:
    """Return the scopes n8n needs for ``credential_types``.

    ``custom_scopes`` are added as they are (after alias normalisation); they are
    what the user entered for a generic ``googleOAuth2Api`` credential. The identity
    scopes are not included: add :data:`IDENTITY_SCOPES` when linking an account.

    Raises:
        UnknownCredentialType: a type is not a Google OAuth2 credential type.
    """
    needed: set[str] = set()
    for credential_type in credential_types:
        try:
            needed |= CREDENTIAL_SCOPES[credential_type]
        except KeyError:
            raise UnknownCredentialType(
                f"{credential_type} is not a Google OAuth2 credential type"
            ) from None
    needed |= normalize(custom_scopes)
    return needed


def missing_scopes(granted: Iterable[str], needed: Iterable[str]) -> set[str]:
    """Return the scopes in ``needed`` that ``granted`` lacks.

    Both sides are compared after alias normalisation (``email`` is
    ``.../auth/userinfo.email``). A broader scope is not taken to cover a narrower
    one: n8n asks for the exact list, so the app does too.
    """
    return normalize(needed) - normalize(granted)


def normalize(scopes: Iterable[str]) -> set[str]:
    """Return ``scopes`` with Google's short aliases replaced by their full names.

    An item may hold several scopes separated by spaces, as users type them.
    """
    return {_ALIASES.get(scope, scope) for item in scopes for scope in item.split()}


def scope_string(scopes: Iterable[str]) -> str:
    """Return scopes as the space-separated, sorted string OAuth and n8n use."""
    return " ".join(sorted(normalize(scopes)))
