"""Error paths of the n8n client that a real server cannot be made to produce.

Answers are injected with respx through the client's transport: persistent 500s, a
429 followed by success, dropped connections. Each test also checks that the API key,
which is really sent, never shows up in an error or a log record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

from mantra_desktop.n8n import (
    N8nAuthError,
    N8nBadRequest,
    N8nClient,
    N8nConflict,
    N8nError,
    N8nNotFound,
    N8nRateLimited,
    N8nServerError,
    N8nTimeout,
    N8nUnreachable,
)
from mantra_desktop.n8n.client import retry_delay

BASE_URL = "http://127.0.0.1:5678"
API_KEY = "eyJhbGciOiJIUzI1NiJ9.unit-test-key-that-must-never-leak"

Runner = Callable[..., Any]


def client_for(router: respx.Router, **options: Any) -> N8nClient:
    return N8nClient(
        BASE_URL,
        API_KEY,
        transport=httpx.MockTransport(router.async_handler),
        backoff=0.001,
        **options,
    )


def assert_key_hidden(error: BaseException, caplog: pytest.LogCaptureFixture) -> None:
    assert API_KEY not in str(error)
    assert API_KEY not in repr(error)
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert API_KEY not in repr(record.args)


def test_persistent_server_error_is_retried_and_carries_the_server_message(
    arun: Runner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    router = respx.Router(base_url=BASE_URL)
    route = router.get("/api/v1/workflows/7").respond(
        500, json={"message": "SQLITE_BUSY: database is locked"}
    )

    async def scenario() -> None:
        async with client_for(router, retries=3) as client:
            await client.get_workflow("7")

    with pytest.raises(N8nServerError) as caught:
        arun(scenario())

    assert route.call_count == 4
    assert route.calls.last.request.headers["X-N8N-API-KEY"] == API_KEY
    assert caught.value.status == 500
    assert caught.value.server_message == "SQLITE_BUSY: database is locked"
    assert str(caught.value) == (
        f"n8n at {BASE_URL} failed to read workflow 7 (HTTP 500). "
        "The server said: SQLITE_BUSY: database is locked."
    )
    retries_logged = [r for r in caplog.records if r.getMessage().startswith("Retry")]
    assert len(retries_logged) == 3
    assert all(r.levelno == logging.WARNING for r in retries_logged)
    assert_key_hidden(caught.value, caplog)


def test_backoff_doubles_and_follows_retry_after() -> None:
    assert [retry_delay(n, 0.25) for n in range(4)] == [0.25, 0.5, 1.0, 2.0]
    assert retry_delay(2, 0.25, "0") == 0.0
    assert retry_delay(0, 0.25, "3") == 3.0
    assert retry_delay(0, 0.25, "86400") == 10.0
    assert retry_delay(1, 0.25, "Wed, 21 Oct 2015 07:28:00 GMT") == 0.5


def test_too_many_requests_then_success_returns_the_answer(
    arun: Runner,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    router = respx.Router(base_url=BASE_URL)
    page = {"data": [{"id": "w1", "name": "Gmail digest"}], "nextCursor": None}
    route = router.get("/api/v1/workflows").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "0"}, json={"message": "Slow"}),
            httpx.Response(200, json=page),
        ]
    )

    async def scenario() -> list[str]:
        async with client_for(router) as client:
            return [w["name"] async for w in client.list_workflows()]

    assert arun(scenario()) == ["Gmail digest"]
    assert route.call_count == 2
    assert route.calls.last.request.url.params["limit"] == "100"


def test_rate_limit_on_create_is_retried_but_a_server_error_is_not(
    arun: Runner,
) -> None:
    router = respx.Router(base_url=BASE_URL)
    limited = router.post("/api/v1/tags").respond(429, json={"message": "Slow down"})
    failing = router.post("/api/v1/workflows").respond(500, json={"message": "boom"})

    async def create_tag() -> None:
        async with client_for(router, retries=2) as client:
            await client.ensure_tag("x")

    async def create_workflow() -> None:
        async with client_for(router, retries=2) as client:
            await client.create_workflow({"name": "w"})

    router.get("/api/v1/tags").respond(200, json={"data": [], "nextCursor": None})
    with pytest.raises(N8nRateLimited, match="Slow down"):
        arun(create_tag())
    assert limited.call_count == 3

    # A POST that failed inside the server may have created something: not resent.
    with pytest.raises(N8nServerError, match="boom"):
        arun(create_workflow())
    assert failing.call_count == 1


@pytest.mark.parametrize(
    ("status", "body", "error_type", "sentence"),
    [
        (401, {"message": "unauthorized"}, N8nAuthError, "The API key was refused"),
        (400, {"message": "request/body must have required property 'name'"},
         N8nBadRequest, "refused to update workflow 7. The server said: request/body"),
        (404, {"message": "Not Found"}, N8nNotFound, "Could not update workflow 7"),
        (409, {"message": "Tag already exists"}, N8nConflict, "Tag already exists."),
    ],
)  # fmt: skip
def test_error_answers_become_sentences_without_the_key(
    arun: Runner,
    caplog: pytest.LogCaptureFixture,
    status: int,
    body: dict[str, str],
    error_type: type[N8nError],
    sentence: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    router = respx.Router(base_url=BASE_URL)
    route = router.put("/api/v1/workflows/7").respond(status, json=body)

    async def scenario() -> None:
        async with client_for(router) as client:
            await client.update_workflow("7", {"name": "w"})

    with pytest.raises(error_type) as caught:
        arun(scenario())

    assert route.call_count == 1
    assert caught.value.status == status
    assert caught.value.server_message == body["message"]
    assert sentence in str(caught.value)
    assert_key_hidden(caught.value, caplog)


@pytest.mark.parametrize(
    ("failure", "error_type", "sentence"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), N8nUnreachable,
         f"Cannot reach {BASE_URL}."),
        (httpx.ReadTimeout("timed out"), N8nTimeout,
         f"{BASE_URL} did not answer within 2 s"),
        (httpx.RemoteProtocolError("Server disconnected"), N8nUnreachable,
         f"The connection to {BASE_URL} broke"),
    ],
)  # fmt: skip
def test_transport_failures_become_sentences_without_the_key(
    arun: Runner,
    caplog: pytest.LogCaptureFixture,
    failure: Exception,
    error_type: type[N8nError],
    sentence: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    router = respx.Router(base_url=BASE_URL)
    route = router.get("/api/v1/tags").mock(side_effect=failure)

    async def scenario() -> None:
        async with client_for(router, timeout=2.0, retries=2) as client:
            await client.ensure_tag("x")

    with pytest.raises(error_type) as caught:
        arun(scenario())

    # Timeouts are not retried: the user already waited the whole timeout.
    assert route.call_count == (1 if error_type is N8nTimeout else 3)
    assert caught.value.status is None
    assert sentence in str(caught.value)
    assert_key_hidden(caught.value, caplog)


def test_client_repr_hides_the_key(
    arun: Runner,
) -> None:
    client = N8nClient(BASE_URL + "/api/v1/", API_KEY)
    assert repr(client) == f"N8nClient(base_url={BASE_URL!r})"
    arun(client.aclose())


def test_a_pasted_key_with_inner_spaces_is_refused_without_echoing_it() -> None:
    pasted = "eyJhbGci Oi\nsecret-part"
    with pytest.raises(N8nAuthError) as caught:
        N8nClient(BASE_URL, pasted)
    assert "secret-part" not in str(caught.value)
