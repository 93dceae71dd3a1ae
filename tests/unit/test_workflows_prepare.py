"""Preparing a catalog workflow for n8n's create call, and warnings before it."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from mantra_desktop.workflows import (
    NEWER_SETTINGS_KEYS,
    InstallWarningKind,
    check_install,
    derive_facts,
    parse_document,
    prepare_for_install,
    workflow_fingerprint,
)
from mantra_desktop.workflows.prepare import BASE_SETTINGS_KEYS, NODE_FIELDS

EXPORT: dict[str, Any] = {
    "id": "12",
    "name": "Mail to sheet",
    "active": True,
    "versionId": "x",
    "pinData": {"Hook": [{"json": {}}]},
    "settings": {
        "executionOrder": "v1",
        "timezone": "Europe/Berlin",
        "saveManualExecutions": True,
        "callerPolicy": "workflowsFromSameOwner",
        "errorWorkflow": "abc",
        "maxExecutions": 1000,
        "executionTimeout": 3600,
        "saveDataErrorExecution": "sometimes",
    },
    "nodes": [
        {
            "id": "n1",
            "name": "Hook",
            "type": "n8n-nodes-base.webhook",
            "typeVersion": 2,
            "position": [0, 0],
            "webhookId": "11111111-1111-4111-8111-111111111111",
            "parameters": {"httpMethod": "POST", "path": "orders/:id"},
            "extendsCredential": "x",
            "color": "#ff0000",
            "notes": None,
        },
        {
            "id": "n2",
            "name": "Mail",
            "type": "n8n-nodes-base.gmail",
            "typeVersion": 2.1,
            "position": [220, 0],
            "parameters": {"operation": "send"},
            "credentials": {"gmailOAuth2": {"id": "7", "name": "Gmail account"}},
            "retryOnFail": True,
            "notes": "Sends it",
        },
        {
            "name": "Sheet",
            "type": "n8n-nodes-base.googleSheets",
            "parameters": {},
            "credentials": {"googleSheetsOAuth2Api": "Sheets account"},
        },
        {
            "id": "n4",
            "name": "Model",
            "type": "@n8n/n8n-nodes-langchain.lmChatOpenAi",
            "typeVersion": 1,
            "position": [220, 200],
            "parameters": {},
        },
    ],
    "connections": {
        "Hook": {"main": [[{"node": "Mail", "type": "main", "index": 0}]]},
        "Mail": {"main": [[{"node": "Sheet", "type": "main", "index": 0}]]},
    },
}


def catalog_workflow() -> dict[str, Any]:
    (document,) = parse_document(json.dumps(EXPORT).encode(), source="x").accepted
    return document.workflow


def install(workflow: dict[str, Any], install_id: str, **bindings: Any) -> dict:
    return prepare_for_install(
        workflow,
        install_id=install_id,
        mantra_name="Mail to sheet",
        mantra_version=3,
        credential_bindings=bindings.get("bindings", {}),
    )


def test_the_body_holds_only_what_the_create_call_accepts() -> None:
    workflow = catalog_workflow()
    before = copy.deepcopy(workflow)

    body = install(workflow, "install-1")

    assert workflow == before, "the catalog copy must not change"
    assert set(body) == {"name", "nodes", "connections", "settings"}
    assert body["name"] == "Mail to sheet (mantra v3)"
    for node in body["nodes"]:
        assert set(node) <= NODE_FIELDS
        assert isinstance(node["position"], list) and len(node["position"]) == 2
        assert "typeVersion" in node
    hook = body["nodes"][0]
    assert "notes" not in hook, "a null note is not a string n8n accepts"
    assert body["nodes"][1]["notes"] == "Sends it"
    assert body["nodes"][1]["retryOnFail"] is True
    assert body["settings"] == {
        "executionOrder": "v1",
        "timezone": "Europe/Berlin",
        "saveManualExecutions": True,
        "executionTimeout": 3600,
    }
    assert body["connections"] == EXPORT["connections"]
    json.dumps(body, allow_nan=False)


def test_settings_default_to_v1_and_newer_keys_only_when_asked() -> None:
    workflow = catalog_workflow()
    workflow["settings"] = {}
    assert install(workflow, "a")["settings"] == {"executionOrder": "v1"}

    newer = prepare_for_install(
        catalog_workflow(),
        install_id="a",
        mantra_name="m",
        mantra_version=1,
        credential_bindings={},
        accepted_settings=BASE_SETTINGS_KEYS | NEWER_SETTINGS_KEYS,
    )
    assert newer["settings"]["callerPolicy"] == "workflowsFromSameOwner"
    assert "errorWorkflow" not in newer["settings"]


def test_two_installs_get_fresh_ids_and_different_webhook_paths() -> None:
    workflow = catalog_workflow()

    first = install(workflow, str(uuid.uuid4()))
    second = install(workflow, str(uuid.uuid4()))
    retry = install(workflow, "same-install")
    retry_again = install(workflow, "same-install")

    template_ids = {n.get("id") for n in workflow["nodes"]}
    for body in (first, second):
        ids = [n["id"] for n in body["nodes"]]
        assert len(set(ids)) == len(ids)
        assert not template_ids & set(ids)
        uuid.UUID(ids[0])
    first_hook, second_hook = first["nodes"][0], second["nodes"][0]
    assert first_hook["webhookId"] != second_hook["webhookId"]
    assert first_hook["webhookId"] != EXPORT["nodes"][0]["webhookId"]
    assert "webhookId" not in first["nodes"][1]

    first_path = first_hook["parameters"]["path"]
    assert first_path != second_hook["parameters"]["path"]
    assert first_path.endswith("/orders/:id")
    assert (
        retry["nodes"][0]["parameters"]["path"]
        == retry_again["nodes"][0]["parameters"]["path"]
    )


def test_credentials_are_rewritten_to_bindings_or_removed() -> None:
    workflow = catalog_workflow()
    requirements = {c.key: c for c in derive_facts(workflow).credentials}
    assert set(requirements) == {
        ("gmailOAuth2", "Gmail account"),
        ("googleSheetsOAuth2Api", "Sheets account"),
        ("openAiApi", ""),
    }

    body = install(
        workflow,
        "i",
        bindings={
            ("gmailOAuth2", "Gmail account"): {"id": "42", "name": "alice@example.org"},
            ("googleSheetsOAuth2Api", "Sheets account"): None,
            ("openAiApi", ""): {"id": "5", "name": "OpenAI"},
        },
    )
    nodes = {n["name"]: n for n in body["nodes"]}

    assert nodes["Mail"]["credentials"] == {
        "gmailOAuth2": {"id": "42", "name": "alice@example.org"}
    }
    assert "credentials" not in nodes["Sheet"]
    assert nodes["Model"]["credentials"] == {"openAiApi": {"id": "5", "name": "OpenAI"}}


def test_the_fingerprint_ignores_what_the_server_adds() -> None:
    body = install(catalog_workflow(), "i")
    from_server = copy.deepcopy(body)
    from_server.update(
        id="Yx1",
        active=False,
        versionId="v9",
        createdAt="2025-01-01T00:00:00.000Z",
        tags=[],
        settings={**body["settings"], "callerPolicy": "workflowsFromSameOwner"},
    )
    for node in from_server["nodes"]:
        node["position"] = [node["position"][0] + 40, node["position"][1]]

    assert workflow_fingerprint(from_server) == workflow_fingerprint(body)

    from_server["nodes"][1]["parameters"]["operation"] = "reply"
    assert workflow_fingerprint(from_server) != workflow_fingerprint(body)


def test_the_fingerprint_ignores_webhook_ids_the_server_assigns() -> None:
    workflow = catalog_workflow()
    workflow["nodes"].append(
        {
            "id": "n9",
            "name": "Ask in Slack",
            "type": "n8n-nodes-base.slack",
            "typeVersion": 2.3,
            "position": [440, 0],
            "parameters": {"operation": "sendAndWait", "message": "Approve?"},
        }
    )
    sent = install(workflow, "i")
    assert "webhookId" not in sent["nodes"][-1]
    stored = copy.deepcopy(sent)
    stored["nodes"][-1]["webhookId"] = str(uuid.uuid4())

    assert workflow_fingerprint(stored) == workflow_fingerprint(sent)

    # The webhook ids the install chose still count: another one is a change.
    stored["nodes"][0]["webhookId"] = str(uuid.uuid4())
    assert workflow_fingerprint(stored) != workflow_fingerprint(sent)


def test_check_install_names_unknown_types_and_unactivatable_workflows() -> None:
    workflow = catalog_workflow()
    known = {"n8n-nodes-base.webhook", "n8n-nodes-base.gmail"}

    warnings = check_install(workflow, known)

    unknown = {w.message.split('"')[1]: w for w in warnings}
    assert set(unknown) == {
        "n8n-nodes-base.googleSheets",
        "@n8n/n8n-nodes-langchain.lmChatOpenAi",
    }
    assert unknown["n8n-nodes-base.googleSheets"].node_names == ("Sheet",)
    assert all(w.kind is InstallWarningKind.UNKNOWN_NODE_TYPE for w in warnings)

    manual = {
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger"},
            {"name": "Hook", "type": "n8n-nodes-base.webhook", "disabled": True},
            {"name": "Custom", "type": "n8n-nodes-acme.widget"},
        ],
        "connections": {},
    }
    kinds = [w.kind for w in check_install(manual, None)]
    assert kinds == [
        InstallWarningKind.COMMUNITY_NODE_TYPE,
        InstallWarningKind.CANNOT_ACTIVATE,
    ]
    assert "by hand" in check_install(manual, None)[-1].message

    nothing = {"nodes": [{"name": "Set", "type": "n8n-nodes-base.set"}]}
    (warning,) = check_install(nothing, None)
    assert "no trigger" in warning.message
