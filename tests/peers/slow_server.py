"""Loopback addresses that misbehave on purpose: one never answers, one refuses.

``silent_server()`` accepts TCP connections and then says nothing, which is what a hung
server looks like to a client waiting for an answer. ``refused_address()`` reserves a
port without listening on it, so every connection is refused, as with a server that is
down; holding the socket keeps another process from taking the port meanwhile.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts connections and never answers.

    Use ``with SilentServer() as server:`` and point a client at ``server.url``.
    """

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.1)
        self._port: int = self._listener.getsockname()[1]
        self._accepted: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._accept_forever, name="silent-server", daemon=True
        )

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self._port

    @property
    def url(self) -> str:
        """Its base URL, ``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def connections(self) -> int:
        """How many connections it has accepted so far."""
        return len(self._accepted)

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop accepting and close every connection it holds."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        for connection in self._accepted:
            connection.close()
        self._listener.close()

    def _accept_forever(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            # Held open and never read from or written to.
            self._accepted.append(connection)


@contextmanager
def silent_server() -> Iterator[str]:
    """Yield the base URL of a server that accepts connections and never answers."""
    with SilentServer() as server:
        yield server.url


@contextmanager
def refused_address() -> Iterator[str]:
    """Yield a loopback base URL on which every connection is refused."""
    reserved = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        reserved.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{reserved.getsockname()[1]}"
    finally:
        reserved.close()
