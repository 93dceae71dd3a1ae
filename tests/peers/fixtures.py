"""Pytest fixtures that start real n8n servers on loopback, once per test session.

Register with ``pytest_plugins = ["tests.peers.fixtures"]``. A test asks for
``n8n_v1`` or ``n8n_v2`` to get one release, or for ``n8n_server`` to run once against
each (ids ``n8n1`` and ``n8n2``). A server starts the first time a test needs it and
stops when the session ends. When n8n is not installed the test fails and says how to
install it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.peers.n8n import N8N_VERSIONS, N8nPeer, PeerNotInstalled, start_n8n

V1, V2 = N8N_VERSIONS
_FIXTURE_FOR_VERSION = {V1: "n8n_v1", V2: "n8n_v2"}


def _start_or_fail(version: str) -> N8nPeer:
    try:
        return start_n8n(version)
    except PeerNotInstalled as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def n8n_v1() -> Iterator[N8nPeer]:
    """A running n8n 1.x with an owner and an API key, shared by the session."""
    peer = _start_or_fail(V1)
    yield peer
    peer.stop()


@pytest.fixture(scope="session")
def n8n_v2() -> Iterator[N8nPeer]:
    """A running n8n 2.x with an owner and an API key, shared by the session."""
    peer = _start_or_fail(V2)
    yield peer
    peer.stop()


@pytest.fixture(scope="session", params=N8N_VERSIONS, ids=["n8n1", "n8n2"])
def n8n_server(request: pytest.FixtureRequest) -> N8nPeer:
    """Each n8n release in turn; a test using it runs once per release."""
    peer: N8nPeer = request.getfixturevalue(_FIXTURE_FOR_VERSION[request.param])
    return peer
