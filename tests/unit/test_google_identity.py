"""Reading who an account is from the ID token, and refusing tokens not for us."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import crypt, jwt

from mantra_desktop.google import identity
from mantra_desktop.google.client import GOOGLE_ISSUER, OAuthClientConfig

NOW = 1_900_000_000
GOOGLE = OAuthClientConfig(
    client_id="123-abc.apps.googleusercontent.com",
    auth_uri="https://accounts.google.com/o/oauth2/auth",
    token_uri="https://oauth2.googleapis.com/token",
    issuer=GOOGLE_ISSUER,
)


@pytest.fixture(scope="module")
def signer() -> crypt.RSASigner:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return crypt.RSASigner.from_string(pem, key_id="test-key")


def id_token(signer: crypt.RSASigner, **changes: Any) -> str:
    claims = {
        "iss": "https://accounts.google.com",
        "aud": GOOGLE.client_id,
        "sub": "110169484474386276334",
        "email": "carol@example.test",
        "email_verified": True,
        "name": "Carol Example",
        "iat": NOW - 10,
        "exp": NOW + 3590,
        **changes,
    }
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(signer, claims).decode()


def test_identity_comes_from_the_claims_of_either_google_issuer(
    signer: crypt.RSASigner,
) -> None:
    expected = identity.AccountIdentity(
        subject="110169484474386276334",
        email="carol@example.test",
        name="Carol Example",
        email_verified=True,
    )
    assert (
        identity.identity_from_id_token(id_token(signer), GOOGLE, now=NOW) == expected
    )
    short_issuer = id_token(signer, iss="accounts.google.com", name=None)
    assert identity.identity_from_id_token(short_issuer, GOOGLE, now=NOW) == (
        dataclasses.replace(expected, name=None)
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"iss": "https://evil.example"}, "issued by 'https://evil.example'"),
        ({"aud": "someone-else"}, "another OAuth client"),
        ({"exp": NOW - 3600}, "expired"),
        ({"email": None}, "email scope was not granted"),
        ({"sub": None}, "no subject"),
    ],
    ids=["issuer", "audience", "expired", "no-email", "no-subject"],
)
def test_tokens_that_are_not_for_this_client_are_refused(
    signer: crypt.RSASigner, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(identity.IdentityError, match=message):
        identity.identity_from_id_token(id_token(signer, **changes), GOOGLE, now=NOW)


def test_without_an_id_token_openid_was_not_granted() -> None:
    with pytest.raises(identity.IdentityError, match="openid scope"):
        identity.identity_from_id_token(None, GOOGLE)
    with pytest.raises(identity.IdentityError, match="cannot be read"):
        identity.identity_from_id_token("not-a-jwt", GOOGLE)
