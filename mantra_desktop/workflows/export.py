"""Write a workflow as a file n8n's editor imports as it is.

The file holds ``name``, ``nodes``, ``connections``, ``settings`` and an empty
``pinData``: what the editor's "Import from File" reads. Nodes are written as
the catalog holds them (ids and credential references included, which the
editor keeps or asks about); a node without a position gets one from the
automatic layout, because the editor needs one to draw it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from mantra_desktop.workflows.facts import workflow_nodes
from mantra_desktop.workflows.layout import auto_positions, read_position


def to_n8n_file(workflow: Mapping[str, Any], name: str) -> bytes:
    """Return the UTF-8 JSON of ``workflow`` named ``name``, ready to save."""
    nodes = [copy.deepcopy(dict(node)) for node in workflow_nodes(workflow)]
    if any(read_position(node) is None for node in nodes):
        auto = auto_positions(workflow)
        for node in nodes:
            if read_position(node) is None:
                x, y = auto.get(node["name"], (0.0, 0.0))
                node["position"] = [x, y]
    settings = workflow.get("settings")
    document = {
        "name": name,
        "nodes": nodes,
        "connections": copy.deepcopy(workflow.get("connections") or {}),
        "settings": copy.deepcopy(dict(settings))
        if isinstance(settings, Mapping)
        else {"executionOrder": "v1"},
        "pinData": {},
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
