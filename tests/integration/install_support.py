"""Building blocks for install tests: services on a fresh SQLite file, sample mantras.

``make_services`` opens a migrated SQLite database in a folder and returns the
services of its local user; ``add_mantra`` puts a workflow in the catalog;
``webhook_workflow`` and ``manual_workflow`` build small workflows n8n 1.x and 2.x
both run. ``call_webhook`` posts to a production webhook, retrying the brief
window in which n8n 2.x has not registered it yet.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from mantra_desktop.config import app_paths
from mantra_desktop.models import Mantra, MantraOrigin
from mantra_desktop.services.catalog import fields_for
from mantra_desktop.services.context import (
    Services,
    build_services,
    open_database,
    user_service,
)
from mantra_desktop.workflows import parse_document

WEBHOOK_ATTEMPTS = 50
WEBHOOK_PAUSE = 0.1


async def make_services(folder: Path) -> Services:
    """Open (and migrate) a SQLite database in ``folder``; dispose it when done."""
    paths = app_paths()
    url = f"sqlite+aiosqlite:///{folder / 'installs.db'}"
    database, _ = await open_database(url, paths)
    user = await user_service(database, paths).ensure_local_user()
    return build_services(database, paths, user)


def node(name: str, node_type: str, version: float, **fields: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "name": name,
        "type": node_type,
        "typeVersion": version,
        "position": [0, 0],
        "parameters": {},
        **fields,
    }


def set_node(name: str, value: str) -> dict[str, Any]:
    assignment = {"id": "a1", "name": "hello", "value": value, "type": "string"}
    return node(
        name,
        "n8n-nodes-base.set",
        3.4,
        parameters={"assignments": {"assignments": [assignment]}, "options": {}},
    )


def webhook_workflow(
    path: str = "hello", value: str = "world", *, extra_step: bool = False
) -> dict[str, Any]:
    """A webhook (POST ``path``) answering when it is called, then a Set step."""
    trigger = node(
        "Webhook",
        "n8n-nodes-base.webhook",
        2,
        webhookId=str(uuid.uuid4()),
        parameters={
            "httpMethod": "POST",
            "path": path,
            "responseMode": "onReceived",
            "options": {},
        },
    )
    nodes = [trigger, set_node("Edit Fields", value)]
    connections: dict[str, Any] = {
        "Webhook": {"main": [[{"node": "Edit Fields", "type": "main", "index": 0}]]}
    }
    if extra_step:
        nodes.append(set_node("Second Step", "again"))
        connections["Edit Fields"] = {
            "main": [[{"node": "Second Step", "type": "main", "index": 0}]]
        }
    return {
        "name": "Webhook sample",
        "nodes": nodes,
        "connections": connections,
        "settings": {"executionOrder": "v1"},
    }


def manual_workflow() -> dict[str, Any]:
    """A workflow that only runs by hand, which n8n refuses to activate."""
    trigger = node("Start", "n8n-nodes-base.manualTrigger", 1)
    return {
        "name": "Manual sample",
        "nodes": [trigger, set_node("Edit Fields", "x")],
        "connections": {
            "Start": {"main": [[{"node": "Edit Fields", "type": "main", "index": 0}]]}
        },
        "settings": {"executionOrder": "v1"},
    }


async def add_mantra(
    services: Services, workflow: dict[str, Any], name: str | None = None
) -> Mantra:
    """Put ``workflow`` in the catalog and return the new mantra."""
    name = name or f"{workflow['name']} {uuid.uuid4().hex[:6]}"
    document = parse_document(
        json.dumps({**workflow, "name": name}).encode(), source="test"
    ).accepted[0]
    return await services.repositories.mantras.create(
        fields_for(document), origin=MantraOrigin.CREATED
    )


async def replace_workflow(
    services: Services, mantra_id: str, workflow: dict[str, Any]
) -> Mantra:
    """Give a mantra a new workflow, which bumps its version."""
    mantra = await services.repositories.mantras.require(mantra_id)
    document = parse_document(
        json.dumps({**workflow, "name": mantra.name}).encode(), source="test"
    ).accepted[0]
    return await services.repositories.mantras.update(
        mantra_id, fields=fields_for(document)
    )


def webhook_path(workflow: dict[str, Any]) -> str:
    """Return the listening path of the workflow's webhook node."""
    for item in workflow["nodes"]:
        if item["type"] == "n8n-nodes-base.webhook":
            return str(item["parameters"]["path"])
    raise AssertionError("the workflow has no webhook node")


def call_webhook(base_url: str, path: str) -> httpx.Response:
    """POST to a production webhook, retrying while n8n has not registered it."""
    response = httpx.post(f"{base_url}/webhook/{path}", json={"probe": True})
    for _ in range(WEBHOOK_ATTEMPTS):
        if response.status_code != 404:
            break
        time.sleep(WEBHOOK_PAUSE)
        response = httpx.post(f"{base_url}/webhook/{path}", json={"probe": True})
    return response
