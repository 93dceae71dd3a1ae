"""pytest fixture for the throwaway PostgreSQL cluster (one per test session)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.peers.postgres import PostgresPeer, start_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresPeer]:
    try:
        peer = start_postgres()
    except RuntimeError as error:
        pytest.fail(str(error))
    yield peer
    peer.stop()
