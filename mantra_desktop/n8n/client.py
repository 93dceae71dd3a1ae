"""Async client for n8n's public REST API (``/api/v1``), built on httpx.

One ``N8nClient`` talks to one server with one API key, sent in the ``X-N8N-API-KEY``
header. Use it as an async context manager so its connections are closed.

Retry policy:

- A failed connection (refused, DNS, connect timeout) sent nothing, so every request is
  retried, POST included.
- A connection that breaks after the request was sent is retried only for idempotent
  methods (GET, PUT, DELETE): a POST may already have created something.
- 429 and 503 mean the server refused the request before doing anything, so they are
  retried for every method; other 5xx answers only for idempotent methods.
- A read timeout is not retried: the user has already waited ``timeout`` seconds.
- Waits grow exponentially from ``backoff`` seconds, or follow ``Retry-After``.

n8n 2.x has short windows (about 0.1 s) where a delete answers 409: right after a
deactivation, and always for a published (active) workflow. ``delete_workflow``
deactivates a published workflow first and retries those 409s briefly, so deleting works
the same on 1.x and 2.x.

No method logs or raises anything containing the API key or credential data.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import importlib
import json
import logging
import re
import ssl
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, TypeVar, cast
from urllib.parse import quote

import httpx

from mantra_desktop.n8n.api_types import (
    CredentialSummary,
    Execution,
    ServerInfo,
    Tag,
    Workflow,
)
from mantra_desktop.n8n.capabilities import (
    Capabilities,
    bundled_node_types,
    credential_data_for_create,
    major_version,
)
from mantra_desktop.n8n.errors import (
    N8nAuthError,
    N8nConflict,
    N8nError,
    N8nNotFound,
    N8nTimeout,
    N8nUnreachable,
    N8nUnsupported,
    error_for_status,
)

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 250
"""The largest ``limit`` n8n accepts on a list request."""

_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_REFUSED_BEFORE_PROCESSING = frozenset({429, 503})
_MAX_RETRY_AFTER = 10.0
_CONFLICT_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8)

_SENTRY_TAG = re.compile(r'<meta name="n8n:config:sentry" content="([A-Za-z0-9+/=]+)"')

_T = TypeVar("_T")

_tls_context: ssl.SSLContext | None = None
_tls_lock = threading.Lock()


def shared_tls_context() -> ssl.SSLContext:
    """Return the TLS settings every client shares, building them the first time.

    Building them reads the bundle of certificate authorities, which takes a
    good part of a second: a fresh one per client would stall the event loop
    each time a client opens. Call ``prepare_network`` from async code first so
    the first build happens in a worker thread.
    """
    global _tls_context
    with _tls_lock:
        if _tls_context is None:
            _tls_context = httpx.create_ssl_context()
        return _tls_context


def _load_network_stack() -> None:
    # httpx loads its connection layer on the first request, and that import
    # alone stalls the loop for tens of milliseconds.
    importlib.import_module("httpcore")
    importlib.import_module("anyio._backends._asyncio")
    shared_tls_context()


async def prepare_network() -> None:
    """Get the first request ready in a worker thread: TLS settings, HTTP stack.

    Cheap once done; call it before opening a client from the event loop.
    """
    if _tls_context is None:
        await asyncio.to_thread(_load_network_stack)


def normalise_base_url(base_url: str) -> str:
    """Return the server address as the client uses it: scheme, host, port, no slash.

    Accepts what users paste: a missing scheme means http, and a trailing ``/`` or
    ``/api/v1`` is dropped.
    """
    url = base_url.strip()
    if "://" not in url:
        url = f"http://{url}"
    url = url.rstrip("/")
    if url.endswith("/api/v1"):
        url = url[: -len("/api/v1")].rstrip("/")
    return url


def retry_delay(attempt: int, backoff: float, retry_after: str | None = None) -> float:
    """Return how long to wait before retry number ``attempt`` (0 for the first).

    A numeric ``Retry-After`` header from the server wins, capped at 10 s.
    """
    if retry_after:
        try:
            return min(max(float(retry_after), 0.0), _MAX_RETRY_AFTER)
        except ValueError:
            pass
    return float(backoff * 2**attempt)


def _server_message(response: httpx.Response) -> str | None:
    """Return n8n's ``message`` from an error answer, or a short plain-text body."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        if text and not text.startswith("<") and len(text) <= 300:
            return text
        return None
    if isinstance(body, dict):
        message = body.get("message")
        if isinstance(message, str) and message.strip():
            return message.strip()
    return None


def version_from_editor_page(page: str) -> str:
    """Return the n8n version named in the editor's start page, or "".

    The page carries a base64 JSON ``n8n:config:sentry`` tag whose ``release`` is
    "n8n@<version>"; it is served without a login on 1.x and 2.x.
    """
    match = _SENTRY_TAG.search(page)
    if not match:
        return ""
    try:
        config = json.loads(base64.b64decode(match.group(1)))
    except (ValueError, binascii.Error):
        return ""
    release = config.get("release") if isinstance(config, dict) else None
    if not isinstance(release, str) or not release.startswith("n8n@"):
        return ""
    return release.removeprefix("n8n@")


def _segment(value: str) -> str:
    """Quote an id for use as one URL path segment."""
    return quote(str(value), safe="")


class N8nClient:
    """Talk to one n8n server through its public API.

    ``timeout`` is in seconds for each request; ``retries`` is how many times a
    retryable failure is tried again; ``backoff`` is the first wait between tries.
    ``transport`` replaces httpx's network transport (tests use it to inject answers).
    Every method raises an ``N8nError`` subclass on failure.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 15.0,
        retries: int = 3,
        backoff: float = 0.25,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = normalise_base_url(base_url)
        self.timeout = timeout
        self._retries = max(0, retries)
        self._backoff = backoff
        key = api_key.strip()
        if not key or not key.isascii() or any(c.isspace() for c in key):
            raise N8nAuthError(
                "The API key is empty or contains characters an n8n API key never "
                "has. Copy it again from n8n under Settings > n8n API."
            )
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"X-N8N-API-KEY": key, "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            verify=shared_tls_context(),
            follow_redirects=False,
        )
        self._node_types: frozenset[str] | None = None
        self._version: str | None = None
        self._capabilities: Capabilities | None = None

    def __repr__(self) -> str:
        return f"N8nClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> N8nClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client's connections; the client cannot be used afterwards."""
        await self._http.aclose()

    @property
    def capabilities(self) -> Capabilities:
        """What the server can do, known after ``server_info``; 1.x behaviour before."""
        return self._capabilities or Capabilities.for_version(None)

    def workflow_url(self, workflow_id: str) -> str:
        """Return the address of a workflow in the n8n editor, for a browser."""
        return f"{self.base_url}/workflow/{_segment(workflow_id)}"

    # Server

    async def server_info(self) -> ServerInfo:
        """Read the server's version and check that the API key is accepted.

        The version is read from the editor page, which needs no login, or else from
        the editor settings; a server that shows neither gives an empty version.
        Raises ``N8nAuthError`` for a refused key and ``N8nError`` when the address
        is not an n8n server offering the public API.
        """
        version = await self._read_version()

        try:
            await self._request(
                "GET", "/workflows", params={"limit": 1}, action="list workflows"
            )
        except N8nNotFound as exc:
            raise N8nError(
                f"{self.base_url} does not offer n8n's public API. Check the address "
                "and that the public API is enabled on the server.",
                exc.status,
                exc.server_message,
            ) from exc

        self._version = version
        self._capabilities = Capabilities.for_version(version)
        logger.debug("Server %s runs n8n %s", self.base_url, version or "(unknown)")
        return ServerInfo(
            version=version,
            major=major_version(version),
            features=self._capabilities,
        )

    async def known_node_types(self) -> frozenset[str]:
        """Return the node type names the server knows ("n8n-nodes-base.set").

        n8n offers no node type list to an API key, so this is the core catalog of
        the server's release (recorded in ``node_catalog``) plus, where the API can
        list them (2.x), the nodes of installed community packages. Reads the
        version first if ``server_info`` was not called; cached per client.
        """
        if self._node_types is not None:
            return self._node_types
        if self._version is None:
            await self.server_info()
        known = set(bundled_node_types(self._version))
        try:
            packages = await self._request(
                "GET", "/community-packages", action="list community packages"
            )
        except (N8nNotFound, N8nUnsupported, N8nAuthError):
            packages = []
        for package in packages if isinstance(packages, list) else []:
            for installed in package.get("installedNodes") or []:
                if isinstance(installed, dict) and installed.get("type"):
                    known.add(str(installed["type"]))
        self._node_types = frozenset(known)
        return self._node_types

    # Workflows

    async def list_workflows(
        self,
        name: str | None = None,
        tags: Iterable[str] | None = None,
        *,
        active: bool | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[Workflow]:
        """Yield the server's workflows, fetching pages of ``page_size`` as needed.

        ``name`` filters on the exact name; ``tags`` (tag names) keeps workflows that
        have them.
        """
        params: dict[str, Any] = {}
        if name is not None:
            params["name"] = name
        if tags:
            params["tags"] = ",".join(tags)
        if active is not None:
            params["active"] = active
        async for raw in self._pages(
            "/workflows", params, action="list workflows", page_size=page_size
        ):
            yield cast(Workflow, raw)

    async def get_workflow(self, workflow_id: str) -> Workflow:
        """Return one workflow with its nodes, connections, settings and tags."""
        return cast(
            Workflow,
            await self._request(
                "GET",
                f"/workflows/{_segment(workflow_id)}",
                action=f"read workflow {workflow_id}",
            ),
        )

    async def create_workflow(self, body: Mapping[str, Any]) -> Workflow:
        """Create a workflow and return it as stored, with its new id.

        ``body`` may hold only ``name``, ``nodes``, ``connections``, ``settings``
        (and on 2.x ``staticData``/``pinData``); the server rejects anything else.
        """
        return cast(
            Workflow,
            await self._request(
                "POST",
                "/workflows",
                json=dict(body),
                action=f"create workflow {body.get('name', '')!r}",
            ),
        )

    async def update_workflow(
        self, workflow_id: str, body: Mapping[str, Any]
    ) -> Workflow:
        """Replace a workflow's name, nodes, connections and settings."""
        return cast(
            Workflow,
            await self._request(
                "PUT",
                f"/workflows/{_segment(workflow_id)}",
                json=dict(body),
                action=f"update workflow {workflow_id}",
            ),
        )

    async def delete_workflow(self, workflow_id: str) -> None:
        """Delete a workflow, active or not.

        A published workflow on 2.x is deactivated first. Raises ``N8nNotFound`` if it
        does not exist.
        """
        path = f"/workflows/{_segment(workflow_id)}"
        action = f"delete workflow {workflow_id}"

        async def delete() -> None:
            await self._request("DELETE", path, action=action)

        try:
            await delete()
        except N8nConflict:
            logger.debug("Deactivating published workflow %s to delete it", workflow_id)
            await self.deactivate(workflow_id)
            await self._retry_conflicts(delete)

    async def activate(self, workflow_id: str) -> Workflow:
        """Activate (on 2.x: publish) a workflow so its triggers run.

        Raises ``N8nBadRequest`` with the server's reason when it cannot be activated,
        for example when it has no trigger node.
        """
        return cast(
            Workflow,
            await self._request(
                "POST",
                f"/workflows/{_segment(workflow_id)}/activate",
                action=f"activate workflow {workflow_id}",
            ),
        )

    async def deactivate(self, workflow_id: str) -> Workflow:
        """Deactivate (on 2.x: unpublish) a workflow so its triggers stop."""
        return cast(
            Workflow,
            await self._request(
                "POST",
                f"/workflows/{_segment(workflow_id)}/deactivate",
                action=f"deactivate workflow {workflow_id}",
            ),
        )

    # Tags

    async def list_tags(self, *, page_size: int = 100) -> AsyncIterator[Tag]:
        """Yield every tag on the server."""
        async for raw in self._pages(
            "/tags", {}, action="list tags", page_size=page_size
        ):
            yield Tag.from_api(raw)

    async def tag_ids(self) -> dict[str, str]:
        """Return the id of every tag on the server, by name."""
        return {
            tag.name: tag.id async for tag in self.list_tags(page_size=MAX_PAGE_SIZE)
        }

    async def ensure_tag(self, name: str) -> str:
        """Return the id of the tag called ``name``, creating it if needed."""
        existing = await self._find_tag(name)
        if existing is not None:
            return existing
        return await self.create_tag(name)

    async def create_tag(self, name: str) -> str:
        """Create the tag called ``name`` and return its id.

        A tag of that name made meanwhile by someone else is returned instead.
        """
        try:
            created = await self._request(
                "POST", "/tags", json={"name": name}, action=f"create tag {name!r}"
            )
        except N8nConflict:
            # Created by someone else between the lookup and the create.
            existing = await self._find_tag(name)
            if existing is None:
                raise
            return existing
        return str(created["id"])

    async def set_workflow_tags(
        self, workflow_id: str, tag_ids: Iterable[str]
    ) -> list[Tag]:
        """Replace the tags of a workflow and return the tags it now has."""
        answer = await self._request(
            "PUT",
            f"/workflows/{_segment(workflow_id)}/tags",
            json=[{"id": tag_id} for tag_id in tag_ids],
            action=f"tag workflow {workflow_id}",
        )
        return [Tag.from_api(raw) for raw in answer or []]

    # Executions

    async def list_executions(
        self, workflow_id: str, limit: int = 20
    ) -> list[Execution]:
        """Return up to ``limit`` of a workflow's most recent runs, newest first."""
        executions: list[Execution] = []
        if limit <= 0:
            return executions
        async for raw in self._pages(
            "/executions",
            {"workflowId": workflow_id, "includeData": False},
            action=f"list the runs of workflow {workflow_id}",
            page_size=limit,
        ):
            executions.append(Execution.from_api(raw))
            if len(executions) >= limit:
                break
        return executions

    # Credentials

    async def create_credential(
        self, name: str, credential_type: str, data: Mapping[str, Any]
    ) -> CredentialSummary:
        """Create a credential of ``credential_type`` from its secret ``data``.

        OAuth2 data is completed so that 1.x's schema accepts it (see
        ``credential_data_for_create``). Tokens in ``oauthTokenData`` are kept by
        n8n, which refreshes them itself.
        """
        created = await self._request(
            "POST",
            "/credentials",
            json={
                "name": name,
                "type": credential_type,
                "data": credential_data_for_create(credential_type, data),
            },
            action=f"create credential {name!r}",
        )
        return CredentialSummary.from_api(created)

    async def delete_credential(self, credential_id: str) -> None:
        """Delete a credential; raises ``N8nNotFound`` if it does not exist."""
        await self._request(
            "DELETE",
            f"/credentials/{_segment(credential_id)}",
            action=f"delete credential {credential_id}",
        )

    async def list_credentials(
        self, *, page_size: int = 100
    ) -> AsyncIterator[CredentialSummary]:
        """Yield every credential the key can see, without secrets.

        Raises ``N8nUnsupported`` on servers whose API cannot list credentials
        (1.x answers 405).
        """
        try:
            async for raw in self._pages(
                "/credentials", {}, action="list credentials", page_size=page_size
            ):
                yield CredentialSummary.from_api(raw)
        except N8nUnsupported as exc:
            raise N8nUnsupported(
                f"n8n at {self.base_url} cannot list credentials through its API; "
                "n8n 2.0 and later can.",
                exc.status,
                exc.server_message,
            ) from exc

    async def credential_schema(self, credential_type: str) -> dict[str, Any]:
        """Return the JSON schema of a credential type's data.

        Raises ``N8nNotFound`` when the server does not know the type.
        """
        schema = await self._request(
            "GET",
            f"/credentials/schema/{_segment(credential_type)}",
            action=f"read the schema of credential type {credential_type!r}",
        )
        return cast(dict[str, Any], schema)

    # Plumbing

    async def _read_version(self) -> str:
        """Return the n8n version the server shows without a login, or ""."""
        try:
            page = await self._request(
                "GET",
                "/",
                action="read the n8n version",
                api=False,
                text=True,
                headers={"Accept": "text/html"},
            )
        except (N8nNotFound, N8nAuthError):
            page = ""
        version = version_from_editor_page(page or "")
        if version:
            return version

        try:
            settings = await self._request(
                "GET", "/rest/settings", action="read the n8n version", api=False
            )
        except (N8nNotFound, N8nAuthError):
            return ""
        data = settings.get("data") if isinstance(settings, dict) else None
        return str(data.get("versionCli") or "") if isinstance(data, dict) else ""

    async def _find_tag(self, name: str) -> str | None:
        async for tag in self.list_tags(page_size=MAX_PAGE_SIZE):
            if tag.name == name:
                return tag.id
        return None

    async def _retry_conflicts(self, call: Callable[[], Awaitable[_T]]) -> _T:
        """Run ``call``, retrying for about 1.5 s while it answers 409."""
        for delay in _CONFLICT_DELAYS:
            try:
                return await call()
            except N8nConflict:
                logger.debug(
                    "Conflict from %s, retrying in %.2f s", self.base_url, delay
                )
                await asyncio.sleep(delay)
        return await call()

    async def _pages(
        self,
        path: str,
        params: Mapping[str, Any],
        *,
        action: str,
        page_size: int,
    ) -> AsyncIterator[dict[str, Any]]:
        """Yield the items of a cursor-paged list, one request per page."""
        query: dict[str, Any] = {
            **params,
            "limit": min(max(page_size, 1), MAX_PAGE_SIZE),
        }
        while True:
            page = await self._request("GET", path, params=query, action=action)
            if not isinstance(page, dict):
                raise N8nError(f"{self.base_url} answered with an unexpected list.")
            for item in page.get("data") or []:
                yield item
            cursor = page.get("nextCursor")
            if not cursor:
                return
            query["cursor"] = cursor

    async def _request(
        self,
        method: str,
        path: str,
        *,
        action: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        api: bool = True,
        text: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request with retries and return its JSON body (None if empty).

        ``path`` is under ``/api/v1`` unless ``api`` is false; with ``text`` the
        body is returned as a string. ``action`` completes the error sentences, e.g.
        "activate workflow 12".
        """
        url = f"/api/v1{path}" if api else path
        idempotent = method in _IDEMPOTENT_METHODS
        attempt = 0
        while True:
            try:
                response = await self._http.request(
                    method, url, params=params, json=json, headers=headers
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if attempt < self._retries:
                    await self._wait_before_retry(method, url, attempt, "no connection")
                    attempt += 1
                    continue
                raise N8nUnreachable(
                    f"Cannot reach {self.base_url}. Check the address and that n8n is "
                    "running."
                ) from exc
            except httpx.TimeoutException as exc:
                raise N8nTimeout(
                    f"{self.base_url} did not answer within {self.timeout:g} s while "
                    f"trying to {action}."
                ) from exc
            except httpx.TransportError as exc:
                if idempotent and attempt < self._retries:
                    await self._wait_before_retry(
                        method, url, attempt, "a broken connection"
                    )
                    attempt += 1
                    continue
                raise N8nUnreachable(
                    f"The connection to {self.base_url} broke while trying to {action}."
                ) from exc

            status = response.status_code
            logger.debug("%s %s answered %s", method, url, status)
            if status < 300:
                return response.text if text else self._json(response, action)
            if 300 <= status < 400:
                location = response.headers.get("location", "another address")
                raise N8nError(
                    f"{self.base_url} redirects to {location}; use that address for "
                    "the server.",
                    status,
                )

            retryable = status in _REFUSED_BEFORE_PROCESSING or (
                status >= 500 and idempotent
            )
            if retryable and attempt < self._retries:
                await self._wait_before_retry(
                    method,
                    url,
                    attempt,
                    f"HTTP {status}",
                    response.headers.get("retry-after"),
                )
                attempt += 1
                continue
            raise error_for_status(
                status, _server_message(response), self.base_url, action
            )

    async def _wait_before_retry(
        self,
        method: str,
        url: str,
        attempt: int,
        reason: str,
        retry_after: str | None = None,
    ) -> None:
        delay = retry_delay(attempt, self._backoff, retry_after)
        logger.warning(
            "Retrying %s %s%s in %.2f s after %s",
            method,
            self.base_url,
            url,
            delay,
            reason,
        )
        await asyncio.sleep(delay)

    def _json(self, response: httpx.Response, action: str) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise N8nError(
                f"{self.base_url} answered with something that is not n8n's API while "
                f"trying to {action}.",
                response.status_code,
            ) from exc
