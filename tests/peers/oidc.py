"""Install and start the local OpenID provider that stands in for Google in the tests.

The provider is npm's ``oidc-provider``, configured by ``npm/oidc/provider.mjs`` like
Google's endpoints for a "Desktop app" client (loopback redirects on any port, PKCE,
refresh tokens, revocation, Google's scope names). It is installed with ``npm ci``
from ``npm/oidc/package-lock.json`` into the peers cache, next to the n8n installs,
and runs on the system Node.

``start_oidc()`` starts one on a free loopback port and returns an ``OidcPeer``;
``peer.stop()`` stops it by its process id.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.peers.n8n import (
    INSTALL_HINT,
    PeerNotInstalled,
    PeerStartError,
    Say,
    install_tree,
    is_installed,
    peers_cache,
)

TREE = "oidc"
CLIENT_ID = "desktop-app"
CLIENT_SECRET = "desktop-secret"

_PROVIDER_SCRIPT = Path(__file__).resolve().parent / "npm" / TREE / "provider.mjs"
_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 5.0


def _say(line: str) -> None:
    print(f"[peers] {line}", flush=True)


def install(say: Say = _say) -> None:
    """Install the provider into the peers cache unless it is already complete."""
    install_tree(TREE, say, use_node24=False, run_scripts=True)


@dataclass
class OidcPeer:
    """A running local OpenID provider and the desktop client registered in it."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    pid: int
    log_path: Path
    _process: subprocess.Popen[bytes] = field(repr=False)

    def client_file(self) -> dict[str, Any]:
        """Return a Google-format "Desktop app" client file for this provider."""
        return {
            "installed": {
                "client_id": self.client_id,
                "project_id": "mantra-desktop-tests",
                "auth_uri": f"{self.issuer}/auth",
                "token_uri": f"{self.issuer}/token",
                "client_secret": self.client_secret,
                "redirect_uris": ["http://127.0.0.1"],
            }
        }

    def log_text(self) -> str:
        """Return what the provider printed so far."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the provider by its process id, wait for it, delete its run folder."""
        if self._process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self._process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self._process.wait(_STOP_TIMEOUT)
        shutil.rmtree(self.log_path.parent, ignore_errors=True)


def start_oidc(access_token_ttl: int = 3600) -> OidcPeer:
    """Start a provider on a free port of 127.0.0.1 and return it once it listens.

    Raises:
        PeerNotInstalled: ``install()`` has not run.
        PeerStartError: the provider did not start; the message ends with its log.
    """
    if not is_installed(TREE):
        raise PeerNotInstalled(
            f"The local OpenID provider is not installed; {INSTALL_HINT}"
        )
    node = shutil.which("node")
    if node is None:
        raise PeerNotInstalled("node is not on PATH; install Node.js 20 first")

    tree = peers_cache() / TREE
    shutil.copyfile(_PROVIDER_SCRIPT, tree / _PROVIDER_SCRIPT.name)
    run_folder = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
    log_path = run_folder / "provider.log"
    environment = {
        **os.environ,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_ACCESS_TOKEN_TTL": str(access_token_ttl),
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [node, _PROVIDER_SCRIPT.name, "0"],
            cwd=tree,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    peer = OidcPeer(
        issuer="",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        pid=process.pid,
        log_path=log_path,
        _process=process,
    )
    try:
        peer.issuer = _wait_for_issuer(peer)
    except BaseException:
        peer.stop()
        raise
    return peer


def _wait_for_issuer(peer: OidcPeer) -> str:
    """Return the issuer from the provider's first JSON line, once it is printed."""
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if peer._process.poll() is not None:
            raise PeerStartError(
                f"The OpenID provider exited with code {peer._process.returncode}\n"
                f"--- {peer.log_path} ---\n{peer.log_text()}"
            )
        for line in peer.log_text().splitlines():
            if line.startswith("{"):
                announced = json.loads(line)
                return str(announced["issuer"])
        time.sleep(0.05)
    raise PeerStartError(
        f"The OpenID provider did not start in {_START_TIMEOUT:.0f} s\n"
        f"--- {peer.log_path} ---\n{peer.log_text()}"
    )
