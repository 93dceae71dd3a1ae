"""Facts derived from a workflow: apps, triggers and required credentials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mantra_desktop.workflows import (
    CredentialRequirement,
    TriggerKind,
    derive_facts,
    parse_document,
)

SAMPLE_CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


def node(name: str, node_type: str, **fields: Any) -> dict[str, Any]:
    fields.setdefault("parameters", {})
    return {"name": name, "type": node_type, "position": [0, 0], **fields}


def flow(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"name": "t", "nodes": list(nodes), "connections": {}, "settings": {}}


def test_both_credential_formats_give_the_same_groups() -> None:
    facts = derive_facts(
        flow(
            node(
                "Read mail",
                "n8n-nodes-base.gmailTrigger",
                credentials={"gmailOAuth2": {"id": "4", "name": "Gmail account"}},
            ),
            node(
                "Send mail",
                "n8n-nodes-base.gmail",
                credentials={"gmailOAuth2": "Gmail account"},
            ),
            node(
                "Other mail",
                "n8n-nodes-base.gmail",
                credentials={"gmailOAuth2": {"id": "9", "name": "Work Gmail"}},
            ),
        )
    )

    assert facts.credentials == (
        CredentialRequirement(
            "gmailOAuth2", "Gmail account", ("Read mail", "Send mail")
        ),
        CredentialRequirement("gmailOAuth2", "Work Gmail", ("Other mail",)),
    )
    assert all(c.is_google for c in facts.credentials)
    assert facts.credential_types == ("gmailOAuth2",)


def test_stripped_credentials_are_implied_by_node_type_and_authentication() -> None:
    facts = derive_facts(
        flow(
            node("Sheet", "n8n-nodes-base.googleSheets"),
            node(
                "Sheet as robot",
                "n8n-nodes-base.googleSheets",
                parameters={"authentication": "serviceAccount"},
            ),
            node("New rows", "n8n-nodes-base.googleSheetsTrigger"),
            node("Calendar tool", "n8n-nodes-base.googleCalendarTool"),
            node(
                "Slack", "n8n-nodes-base.slack", parameters={"authentication": "oAuth2"}
            ),
            node("Model", "@n8n/n8n-nodes-langchain.lmChatOpenAi"),
            node(
                "Call API",
                "n8n-nodes-base.httpRequest",
                parameters={
                    "authentication": "predefinedCredentialType",
                    "nodeCredentialType": "notionApi",
                },
            ),
            node(
                "Expression",
                "n8n-nodes-base.slack",
                parameters={"authentication": "={{ $json.auth }}"},
            ),
            node("Plain HTTP", "n8n-nodes-base.httpRequest"),
            node("Tidy", "n8n-nodes-base.set"),
        )
    )

    assert {(c.type, c.template_name, c.node_names) for c in facts.credentials} == {
        ("googleSheetsOAuth2Api", "", ("Sheet",)),
        ("googleApi", "", ("Sheet as robot",)),
        ("googleSheetsTriggerOAuth2Api", "", ("New rows",)),
        ("googleCalendarOAuth2Api", "", ("Calendar tool",)),
        ("slackOAuth2Api", "", ("Slack",)),
        ("openAiApi", "", ("Model",)),
        ("notionApi", "", ("Call API",)),
    }


def test_a_stripped_node_joins_the_only_named_credential_of_its_type() -> None:
    facts = derive_facts(
        flow(
            node(
                "Named", "n8n-nodes-base.telegram", credentials={"telegramApi": "Bot"}
            ),
            node("Stripped", "n8n-nodes-base.telegram", credentials={}),
            node("Blank", "n8n-nodes-base.telegram", credentials={"telegramApi": ""}),
        )
    )

    assert facts.credentials == (
        CredentialRequirement("telegramApi", "Bot", ("Named", "Stripped", "Blank")),
    )


def test_apps_and_triggers() -> None:
    facts = derive_facts(
        flow(
            node("Every hour", "n8n-nodes-base.scheduleTrigger"),
            node("Hook", "n8n-nodes-base.webhook", disabled=True),
            node("Try it", "n8n-nodes-base.manualTrigger"),
            node("Mail", "n8n-nodes-base.gmail"),
            node("Sheet", "n8n-nodes-base.googleSheetsTool"),
            node("Chat", "@n8n/n8n-nodes-langchain.lmChatOpenAi"),
            node("Ask", "@n8n/n8n-nodes-langchain.openAi"),
            node("Agent", "@n8n/n8n-nodes-langchain.agent"),
            node("Branch", "n8n-nodes-base.if"),
            node("Code", "n8n-nodes-base.code"),
            node("Note", "n8n-nodes-base.stickyNote"),
            node("Join", "n8n-nodes-base.merge"),
            node("Nothing", "n8n-nodes-base.noOp"),
            node("Community", "n8n-nodes-hdw.hdwLinkedin"),
        )
    )

    assert facts.apps == ("Gmail", "Google Sheets", "Hdw Linkedin", "OpenAI")
    # The disabled webhook does not count; schedule outranks manual.
    assert facts.triggers == (TriggerKind.SCHEDULE, TriggerKind.MANUAL)
    assert facts.primary_trigger is TriggerKind.SCHEDULE
    assert facts.node_count == 13
    assert "n8n-nodes-base.stickyNote" in facts.node_types


def test_a_workflow_without_triggers_has_no_primary_trigger() -> None:
    facts = derive_facts(flow(node("Only", "n8n-nodes-base.set")))
    assert (facts.triggers, facts.primary_trigger) == ((), None)


def test_sample_corpus_facts_match_what_the_files_say() -> None:
    raw = (
        SAMPLE_CORPUS / "Error" / "0456_Error_Gmail_Send_Triggered.json"
    ).read_bytes()
    (document,) = parse_document(raw, source="error.json").accepted

    facts = derive_facts(document.workflow)

    assert facts.primary_trigger is TriggerKind.ERROR
    assert "Gmail" in facts.apps
    assert [c.type for c in facts.credentials] == ["gmailOAuth2"]
    assert facts.credentials[0].template_name
