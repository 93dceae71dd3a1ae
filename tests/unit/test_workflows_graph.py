"""Drawing, comparing and exporting workflows."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from mantra_desktop.workflows import (
    Bounds,
    GraphEdge,
    diff_workflows,
    parse_document,
    to_n8n_file,
    workflow_graph,
)
from mantra_desktop.workflows.layout import NODE_SIZE

SAMPLE_CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


def agent_workflow() -> dict[str, Any]:
    """A chat trigger feeding an agent that uses a model; no positions given."""
    return {
        "name": "Agent",
        "nodes": [
            {"name": "Chat", "type": "@n8n/n8n-nodes-langchain.chatTrigger"},
            {"name": "Agent", "type": "@n8n/n8n-nodes-langchain.agent"},
            {"name": "Model", "type": "@n8n/n8n-nodes-langchain.lmChatOpenAi"},
            {
                "name": "Reply",
                "type": "n8n-nodes-base.telegram",
                "disabled": True,
                "parameters": {"text": "hi"},
            },
        ],
        "connections": {
            "Chat": {"main": [[{"node": "Agent", "type": "main", "index": 0}]]},
            "Model": {
                "ai_languageModel": [
                    [{"node": "Agent", "type": "ai_languageModel", "index": 0}]
                ]
            },
            "Agent": {"main": [[{"node": "Reply", "type": "main", "index": 0}]]},
        },
        "settings": {},
    }


def test_positions_are_kept_exactly_and_sticky_notes_are_separate() -> None:
    raw = SAMPLE_CORPUS / "Calendly" / "0277_Calendly_Mautic_Create_Triggered.json"
    source = json.loads(raw.read_bytes())
    (document,) = parse_document(raw.read_bytes(), source="c.json").accepted

    graph = workflow_graph(document.workflow)

    written = {n["name"]: n["position"] for n in source["nodes"]}
    assert graph.nodes and graph.notes
    for drawn in graph.nodes:
        assert [drawn.x, drawn.y] == written[drawn.name]
        assert not drawn.auto_placed
    (note,) = graph.notes
    sticky = next(n for n in source["nodes"] if n["name"] == note.name)
    assert note.content == sticky["parameters"]["content"]
    assert [note.x, note.y] == sticky["position"]
    assert graph.nodes[0].is_trigger and graph.nodes[0].icon == "calendly"
    for drawn in graph.nodes:
        assert graph.bounds.x <= drawn.x
        assert drawn.x + NODE_SIZE <= graph.bounds.x + graph.bounds.width
    assert graph.bounds.x <= note.x
    assert note.y + note.height <= graph.bounds.y + graph.bounds.height


def test_nodes_without_positions_are_laid_out_left_to_right() -> None:
    graph = workflow_graph(agent_workflow())
    nodes = {n.name: n for n in graph.nodes}

    assert all(n.auto_placed for n in graph.nodes)
    assert nodes["Chat"].x < nodes["Agent"].x < nodes["Reply"].x
    assert nodes["Model"].x == nodes["Agent"].x
    assert nodes["Model"].y > nodes["Agent"].y
    assert nodes["Reply"].disabled and not nodes["Agent"].disabled
    assert nodes["Chat"].is_trigger and not nodes["Agent"].is_trigger
    assert nodes["Model"].label == "OpenAI Chat Model"
    assert nodes["Model"].icon == "openAi"
    assert GraphEdge("Model", 0, "Agent", 0, "ai_languageModel") in graph.edges
    assert len(graph.edges) == 3


def test_an_empty_or_odd_workflow_still_gives_a_graph() -> None:
    assert workflow_graph({}).bounds == Bounds(0.0, 0.0, 0.0, 0.0)
    odd = {
        "nodes": [{"name": "A", "type": "t", "position": ["x", None]}, 5],
        "connections": {"A": {"main": [[{"node": "A"}], None]}},
    }
    graph = workflow_graph(odd)
    assert [n.name for n in graph.nodes] == ["A"]
    assert graph.nodes[0].auto_placed


def test_diff_reports_added_removed_changed_and_rewired_nodes() -> None:
    old = agent_workflow()
    new = copy.deepcopy(old)
    new["nodes"] = [n for n in new["nodes"] if n["name"] != "Model"]
    new["nodes"].append({"name": "Claude", "type": "@n8n/n8n-nodes-langchain.x"})
    new["nodes"][2]["parameters"] = {"text": "hello"}
    new["nodes"][2]["position"] = [500, 500]
    new["connections"]["Claude"] = new["connections"].pop("Model")
    new["connections"]["Claude"]["ai_languageModel"][0][0]["node"] = "Agent"

    diff = diff_workflows(old, new)

    assert diff.added == ("Claude",)
    assert diff.removed == ("Model",)
    assert [(c.name, c.fields) for c in diff.changed] == [("Reply", ("parameters",))]
    assert [c.source for c in diff.connections_added] == ["Claude"]
    assert [c.source for c in diff.connections_removed] == ["Model"]
    assert diff.summary == (
        "1 node added (Claude); 1 node removed (Model); "
        "1 node changed (Reply); 2 connections changed."
    )
    assert diff_workflows(old, copy.deepcopy(old)).summary == "No changes."


def test_export_round_trip_keeps_the_content_hash() -> None:
    for path in [*sorted(SAMPLE_CORPUS.rglob("*.json"))[:8], None]:
        if path is None:
            raw = json.dumps(agent_workflow()).encode()
        else:
            raw = path.read_bytes()
        result = parse_document(raw, source="in.json")
        for document in result.accepted:
            exported = to_n8n_file(document.workflow, "Exported")
            parsed = json.loads(exported)
            assert set(parsed) == {
                "name",
                "nodes",
                "connections",
                "settings",
                "pinData",
            }
            assert all(len(n["position"]) == 2 for n in parsed["nodes"])

            (again,) = parse_document(exported, source="out.json").accepted
            assert again.name == "Exported"
            assert again.content_hash == document.content_hash
