"""Which scopes n8n's Google credentials need, and which a grant lacks."""

from __future__ import annotations

import pytest

from mantra_desktop.google import scopes

DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
SHEETS = "https://www.googleapis.com/auth/spreadsheets"


def test_scopes_of_several_credential_types_are_united() -> None:
    needed = scopes.scopes_for(
        ["googleSheetsOAuth2Api", "googleSlidesOAuth2Api", "gmailOAuth2"]
    )

    assert {
        DRIVE_FILE,
        SHEETS,
        "https://www.googleapis.com/auth/presentations",
    } <= needed
    assert "https://mail.google.com/" in needed
    assert not needed & scopes.IDENTITY_SCOPES


def test_the_generic_credential_takes_the_scopes_the_user_typed() -> None:
    assert scopes.scopes_for([scopes.GENERIC_CREDENTIAL_TYPE]) == set()
    assert scopes.scopes_for(
        [scopes.GENERIC_CREDENTIAL_TYPE], [f" {DRIVE_FILE}  email "]
    ) == {DRIVE_FILE, scopes.USERINFO_EMAIL}


def test_a_type_that_is_not_google_is_refused() -> None:
    assert not scopes.is_google_credential_type("slackOAuth2Api")
    with pytest.raises(scopes.UnknownCredentialType, match="slackOAuth2Api"):
        scopes.scopes_for(["googleDriveOAuth2Api", "slackOAuth2Api"])


def test_missing_scopes_compares_aliases_by_their_full_names() -> None:
    granted = ["openid", "email", "profile", DRIVE_FILE]

    assert scopes.missing_scopes(granted, scopes.IDENTITY_SCOPES) == set()
    assert scopes.missing_scopes(
        granted, scopes.scopes_for(["googleSheetsOAuth2Api"])
    ) == {SHEETS}
    assert scopes.scope_string(["profile", "openid"]) == (
        f"{scopes.USERINFO_PROFILE} openid"
    )
