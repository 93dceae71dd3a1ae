"""Pytest fixtures for the local OpenID provider, started once per test session.

Register with ``pytest_plugins = ["tests.peers.oidc_fixtures"]``. A test asks for
``oidc_provider`` to get a running provider (``tests.peers.oidc.OidcPeer``); it stops
when the session ends. When the provider is not installed the test fails and says how
to install it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.peers.n8n import PeerNotInstalled
from tests.peers.oidc import OidcPeer, start_oidc


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcPeer]:
    """A running local OpenID provider with a desktop client, shared by the session."""
    try:
        peer = start_oidc()
    except PeerNotInstalled as error:
        pytest.fail(str(error), pytrace=False)
    yield peer
    peer.stop()
