"""Reading the user's Google "Desktop app" client file."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from mantra_desktop.google import client

GOOGLE_DESKTOP_FILE = {
    "installed": {
        "client_id": "123-abc.apps.googleusercontent.com",
        "project_id": "mantra-test",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_secret": "GOCSPX-not-really",
        "redirect_uris": ["http://localhost"],
    }
}


def test_a_google_desktop_client_file_gives_config_and_secret_apart(
    arun: Callable[..., Any],
) -> None:
    config, secret = client.parse_client_file(json.dumps(GOOGLE_DESKTOP_FILE))

    assert secret == "GOCSPX-not-really"
    assert secret not in repr(config)
    assert config.client_id == "123-abc.apps.googleusercontent.com"
    assert config.issuer == client.GOOGLE_ISSUER
    assert config.is_google

    # Google's endpoints are known: no request is made for them.
    discovered = arun(client.discover(config))
    assert discovered.revoke_uri == "https://oauth2.googleapis.com/revoke"
    assert discovered.token_uri == config.token_uri
    assert not discovered.revocation_client_auth


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a Google OAuth client file"),
        (
            json.dumps({"web": GOOGLE_DESKTOP_FILE["installed"]}),
            "This is a Web application client; create a Desktop app client",
        ),
        (json.dumps({"other": {}}), 'no "installed" section'),
        (
            json.dumps({"installed": {"client_id": "x", "auth_uri": "https://a/b"}}),
            "lacks client_secret, token_uri",
        ),
        (
            json.dumps(
                {
                    "installed": {
                        **GOOGLE_DESKTOP_FILE["installed"],
                        "token_uri": "http://tokens.example.com/token",
                    }
                }
            ),
            "must use https",
        ),
    ],
    ids=["not-json", "not-object", "web", "no-installed", "missing", "plain-http"],
)
def test_unusable_client_files_are_refused_with_the_reason(
    text: str, message: str
) -> None:
    with pytest.raises(client.ClientFileError, match=message):
        client.parse_client_file(text)


def test_plain_http_is_accepted_only_on_this_machine() -> None:
    local = {
        "installed": {
            "client_id": "desktop-app",
            "client_secret": "desktop-secret",
            "auth_uri": "http://127.0.0.1:8455/auth",
            "token_uri": "http://127.0.0.1:8455/token",
        }
    }
    config, _secret = client.parse_client_file(json.dumps(local))

    assert config.issuer == "http://127.0.0.1:8455"
    assert not config.is_google
    assert client.is_loopback_url("http://localhost:1/")
    assert client.is_loopback_url("http://[::1]:1/")
    assert not client.is_loopback_url("http://127.example.com/")
