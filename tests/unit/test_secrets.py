"""The keychain door: round trips, distinct entry names, and no keychain at all."""

from __future__ import annotations

import keyring
import keyring.core
import pytest
from keyring.backends import fail, null

from mantra_desktop import secrets


def test_values_round_trip_and_can_be_forgotten(
    memory_keychain: secrets.MemoryKeyring,
) -> None:
    api_key = secrets.server_api_key_name("server-1")
    tokens = secrets.google_tokens_name("account-1")
    client_secret = secrets.google_client_secret_name("123.apps.googleusercontent.com")
    assert len({api_key, tokens, client_secret}) == 3

    secrets.store(api_key, "n8n-key")
    secrets.store(tokens, '{"access_token": "a"}')
    secrets.store(api_key, "n8n-key-2")

    assert secrets.load(api_key) == "n8n-key-2"
    assert secrets.load(tokens) == '{"access_token": "a"}'
    assert secrets.load(client_secret) is None
    assert memory_keychain.get_password(secrets.SERVICE, api_key) == "n8n-key-2"

    secrets.forget(api_key)
    secrets.forget(api_key)
    assert secrets.load(api_key) is None
    assert secrets.load(tokens) == '{"access_token": "a"}'


@pytest.mark.parametrize(
    "backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"]
)
def test_without_a_keychain_nothing_is_stored_anywhere(
    backend: keyring.backend.KeyringBackend,
) -> None:
    keyring.set_keyring(backend)
    name = secrets.server_api_key_name("server-1")

    for attempt in (
        lambda: secrets.store(name, "n8n-key"),
        lambda: secrets.load(name),
        lambda: secrets.forget(name),
    ):
        with pytest.raises(secrets.KeychainUnavailable) as info:
            attempt()
        assert "GNOME Keyring or KWallet" in str(info.value)


def test_keyring_never_picks_the_memory_keychain_on_its_own() -> None:
    detected = keyring.core._detect_backend()
    assert not isinstance(detected, secrets.MemoryKeyring)
