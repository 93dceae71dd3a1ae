"""The n8n client against real n8n servers, one 1.x and one 2.x, on loopback.

Tests that take ``n8n_server`` run once per release. Each test creates its own
workflows, tags and credentials under unique names and removes them, so tests can share
a server. The refused and silent addresses stand in for a server that is down or hung.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mantra_desktop.n8n import (
    N8nAuthError,
    N8nBadRequest,
    N8nClient,
    N8nNotFound,
    N8nTimeout,
    N8nUnreachable,
    N8nUnsupported,
    Workflow,
)
from tests.integration.install_support import node, set_node
from tests.peers.n8n import N8nPeer
from tests.peers.slow_server import SilentServer, refused_address

Runner = Callable[..., Any]

# Generous bounds on waiting for the server's background work (webhook registration,
# execution saving); the tests never depend on how fast it is.
POLL_ATTEMPTS = 100
POLL_INTERVAL = 0.1


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def workflow_body(name: str, trigger: dict[str, Any], value: str) -> dict[str, Any]:
    step = set_node("Edit Fields", value)
    edge = {"node": step["name"], "type": "main", "index": 0}
    return {
        "name": name,
        "nodes": [trigger, step],
        "connections": {trigger["name"]: {"main": [[edge]]}},
        "settings": {"executionOrder": "v1"},
    }


def schedule_workflow(name: str, value: str = "world") -> dict[str, Any]:
    rule = {"interval": [{"field": "hours", "hoursInterval": 1}]}
    trigger = node(
        "Schedule Trigger",
        "n8n-nodes-base.scheduleTrigger",
        1.2,
        parameters={"rule": rule},
    )
    return workflow_body(name, trigger, value)


def webhook_workflow(name: str, path: str) -> dict[str, Any]:
    parameters = {
        "httpMethod": "POST",
        "path": path,
        "responseMode": "onReceived",
        "options": {},
    }
    trigger = node(
        "Webhook",
        "n8n-nodes-base.webhook",
        2,
        webhookId=str(uuid.uuid4()),
        parameters=parameters,
    )
    return workflow_body(name, trigger, "hooked")


def manual_workflow(name: str) -> dict[str, Any]:
    trigger = node("Start", "n8n-nodes-base.manualTrigger", 1)
    return workflow_body(name, trigger, "manual")


def client_for(peer: N8nPeer, **options: Any) -> N8nClient:
    return N8nClient(peer.url, peer.api_key, **options)


def test_server_info_reports_the_release(n8n_server: N8nPeer, arun: Runner) -> None:
    async def scenario() -> Any:
        async with client_for(n8n_server) as client:
            return await client.server_info()

    info = arun(scenario())

    assert info.version == n8n_server.version
    assert info.major == n8n_server.major
    assert info.features.major == n8n_server.major
    assert info.features.lists_credentials is (n8n_server.major >= 2)
    assert info.features.publishes_workflows is (n8n_server.major >= 2)


def test_a_wrong_key_is_refused(n8n_server: N8nPeer, arun: Runner) -> None:
    wrong_key = "wrong-" + uuid.uuid4().hex

    async def scenario() -> None:
        async with N8nClient(n8n_server.url, wrong_key) as client:
            await client.server_info()

    with pytest.raises(N8nAuthError) as caught:
        arun(scenario())

    assert caught.value.status == 401
    assert str(caught.value).startswith("The API key was refused by the server at")
    assert n8n_server.url in str(caught.value)
    assert wrong_key not in str(caught.value)


def test_a_server_that_is_down_is_unreachable(arun: Runner) -> None:
    async def scenario(url: str) -> None:
        async with N8nClient(url, "any-key", retries=2, backoff=0.01) as client:
            await client.server_info()

    with refused_address() as url, pytest.raises(N8nUnreachable) as caught:
        arun(scenario(url))

    assert str(caught.value).startswith(f"Cannot reach {url}.")
    assert caught.value.status is None


def test_a_silent_server_times_out_without_retrying(arun: Runner) -> None:
    async def scenario(url: str) -> None:
        async with N8nClient(url, "any-key", timeout=0.3, retries=2) as client:
            await client.get_workflow("1")

    with SilentServer() as server, pytest.raises(N8nTimeout) as caught:
        arun(scenario(server.url))

    assert str(caught.value).startswith(f"{server.url} did not answer within 0.3 s")
    assert server.connections == 1


def test_schedule_workflow_lifecycle(n8n_server: N8nPeer, arun: Runner) -> None:
    name = unique("schedule")
    tag_name = unique("mantra")

    async def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        async with client_for(n8n_server) as client:
            created = await client.create_workflow(schedule_workflow(name))
            workflow_id = created["id"]
            seen["created"] = created
            try:
                body = schedule_workflow(name + " v2", value="again")
                seen["updated"] = await client.update_workflow(workflow_id, body)

                tag_id = await client.ensure_tag(tag_name)
                seen["same_tag"] = await client.ensure_tag(tag_name) == tag_id
                seen["tags"] = await client.set_workflow_tags(workflow_id, [tag_id])
                seen["by_tag"] = [
                    w["id"] async for w in client.list_workflows(tags=[tag_name])
                ]
                seen["by_name"] = [
                    w["id"] async for w in client.list_workflows(name=name + " v2")
                ]

                seen["activated"] = await client.activate(workflow_id)
                seen["deactivated"] = await client.deactivate(workflow_id)
                seen["read"] = await client.get_workflow(workflow_id)
            finally:
                await client.delete_workflow(workflow_id)
            try:
                await client.get_workflow(workflow_id)
            except N8nNotFound as exc:
                seen["gone"] = exc
            seen["url"] = client.workflow_url(workflow_id)
        return seen

    seen = arun(scenario())

    created: Workflow = seen["created"]
    workflow_id = created["id"]
    assert created["name"] == name
    assert created["active"] is False
    assert seen["updated"]["name"] == name + " v2"
    assert seen["same_tag"] is True
    assert [tag.name for tag in seen["tags"]] == [tag_name]
    assert seen["by_tag"] == [workflow_id]
    assert seen["by_name"] == [workflow_id]
    assert seen["activated"]["active"] is True
    assert seen["deactivated"]["active"] is False
    read: Workflow = seen["read"]
    assert [t["name"] for t in read.get("tags", [])] == [tag_name]
    values = read["nodes"][1]["parameters"]["assignments"]["assignments"]
    assert values[0]["value"] == "again"
    assert seen["gone"].status == 404
    assert seen["url"] == f"{n8n_server.url}/workflow/{workflow_id}"


def test_webhook_workflow_runs_and_an_active_workflow_can_be_deleted(
    n8n_server: N8nPeer, arun: Runner
) -> None:
    path = f"mantra-{uuid.uuid4().hex}"

    async def call_webhook(http: httpx.AsyncClient) -> httpx.Response:
        # n8n 2.x registers a production webhook a moment after activation.
        for _ in range(POLL_ATTEMPTS):
            response = await http.post(f"/webhook/{path}", json={"ping": 1})
            if response.status_code != 404:
                return response
            await asyncio.sleep(POLL_INTERVAL)
        return response

    async def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        async with (
            client_for(n8n_server) as client,
            httpx.AsyncClient(base_url=n8n_server.url) as http,
        ):
            created = await client.create_workflow(
                webhook_workflow(unique("webhook"), path)
            )
            workflow_id = created["id"]
            seen["activated"] = await client.activate(workflow_id)
            seen["hook"] = await call_webhook(http)
            for _ in range(POLL_ATTEMPTS):
                runs = await client.list_executions(workflow_id, limit=5)
                if runs and runs[0].finished:
                    break
                await asyncio.sleep(POLL_INTERVAL)
            seen["runs"] = runs

            await client.delete_workflow(workflow_id)
            try:
                await client.get_workflow(workflow_id)
            except N8nNotFound as exc:
                seen["gone"] = exc
            seen["hook_after_delete"] = await http.post(f"/webhook/{path}")
        return seen

    seen = arun(scenario(), timeout=60_000)

    assert seen["activated"]["active"] is True
    assert seen["hook"].status_code == 200
    runs = seen["runs"]
    assert len(runs) == 1
    assert runs[0].mode == "webhook"
    assert runs[0].status == "success"
    assert runs[0].workflow_id == seen["activated"]["id"]
    assert seen["gone"].status == 404
    assert seen["hook_after_delete"].status_code == 404


def test_a_manual_trigger_workflow_cannot_be_activated(
    n8n_server: N8nPeer, arun: Runner
) -> None:
    async def scenario() -> tuple[N8nBadRequest | None, bool]:
        async with client_for(n8n_server) as client:
            created = await client.create_workflow(manual_workflow(unique("manual")))
            refusal = None
            try:
                await client.activate(created["id"])
            except N8nBadRequest as exc:
                refusal = exc
            still_inactive = not (await client.get_workflow(created["id"]))["active"]
            await client.delete_workflow(created["id"])
        return refusal, still_inactive

    refusal, still_inactive = arun(scenario())

    assert refusal is not None
    assert refusal.status == 400
    assert refusal.server_message is not None
    assert "trigger" in refusal.server_message
    assert f"The server said: {refusal.server_message}" in str(refusal)
    assert still_inactive


def test_unknown_node_types_are_detected(n8n_server: N8nPeer, arun: Runner) -> None:
    body = schedule_workflow(unique("unknown node"))
    body["nodes"].append(
        node("Mystery", "n8n-nodes-base.noSuchNodeAnywhere", 1, position=[400, 0])
    )

    async def scenario() -> tuple[frozenset[str], Workflow]:
        async with client_for(n8n_server) as client:
            known = await client.known_node_types()
            # The server accepts the workflow: only the client can tell in advance.
            created = await client.create_workflow(body)
            await client.delete_workflow(created["id"])
        return known, created

    known, created = arun(scenario())

    used = {entry["type"] for entry in created["nodes"]}
    assert used - known == {"n8n-nodes-base.noSuchNodeAnywhere"}
    assert {"n8n-nodes-base.webhook", "n8n-nodes-base.gmail"} <= known


def test_oauth2_credential_round_trip(n8n_server: N8nPeer, arun: Runner) -> None:
    name = unique("gmail")
    data = {
        "clientId": "123.apps.googleusercontent.com",
        "clientSecret": "not-a-real-secret",
        "oauthTokenData": {
            "access_token": "access-" + uuid.uuid4().hex,
            "refresh_token": "refresh-" + uuid.uuid4().hex,
            "token_type": "Bearer",
            "expires_in": 3599,
            "scope": "https://www.googleapis.com/auth/gmail.readonly",
        },
    }

    async def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        async with client_for(n8n_server) as client:
            seen["schema"] = await client.credential_schema("gmailOAuth2")
            try:
                await client.credential_schema("noSuchCredentialType")
            except N8nNotFound as exc:
                seen["unknown_type"] = exc
            credential = await client.create_credential(name, "gmailOAuth2", data)
            seen["credential"] = credential
            try:
                seen["listed"] = [c.id async for c in client.list_credentials()]
            except N8nUnsupported as exc:
                seen["listed"] = exc
            await client.delete_credential(credential.id)
            try:
                await client.delete_credential(credential.id)
            except N8nNotFound as exc:
                seen["deleted_twice"] = exc
        return seen

    seen = arun(scenario())

    assert "clientId" in seen["schema"]["properties"]
    assert seen["unknown_type"].status == 404
    credential = seen["credential"]
    assert credential.name == name
    assert credential.type == "gmailOAuth2"
    if n8n_server.major >= 2:
        assert credential.id in seen["listed"]
    else:
        assert isinstance(seen["listed"], N8nUnsupported)
        assert "cannot list credentials" in str(seen["listed"])
    assert seen["deleted_twice"].status == 404


class CountingTransport(httpx.AsyncHTTPTransport):
    """The real network transport, remembering every URL it sent."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[httpx.URL] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(request.url)
        return await super().handle_async_request(request)


def test_lists_follow_the_cursor_across_pages(
    n8n_server: N8nPeer, arun: Runner
) -> None:
    tag_name = unique("paged")
    transport = CountingTransport()

    async def scenario() -> tuple[set[str], list[str]]:
        async with client_for(n8n_server, transport=transport) as client:
            tag_id = await client.ensure_tag(tag_name)
            created: set[str] = set()
            for number in range(5):
                body = schedule_workflow(f"{tag_name} {number}")
                workflow_id = (await client.create_workflow(body))["id"]
                created.add(workflow_id)
                await client.set_workflow_tags(workflow_id, [tag_id])
            transport.urls.clear()
            try:
                listed = [
                    w["id"]
                    async for w in client.list_workflows(tags=[tag_name], page_size=2)
                ]
            finally:
                for workflow_id in created:
                    await client.delete_workflow(workflow_id)
        return created, listed

    created, listed = arun(scenario(), timeout=60_000)

    assert sorted(listed) == sorted(created)
    pages = [url for url in transport.urls if url.path == "/api/v1/workflows"]
    assert len(pages) == 3
    assert all(url.params["limit"] == "2" for url in pages)
    assert "cursor" not in pages[0].params
    assert all(url.params["cursor"] for url in pages[1:])
