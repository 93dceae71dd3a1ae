"""The normalised form of a workflow, its connections, and its content hash.

A normalised workflow is a plain dict with exactly these keys:

- ``name``: str
- ``nodes``: list of node dicts, kept as the author wrote them (ids, positions,
  webhook ids, credentials and unknown fields included) except that
  ``parameters`` is always a dict
- ``connections``: dict, as written
- ``settings``: dict, as written (``prepare`` filters it for the server)

Everything else at the top level of an export is left out: ``id``, ``active``,
``versionId``, ``meta``, ``tags`` and ``triggerCount`` describe the author's
server, ``staticData`` is run-time state (poll cursors), and ``pinData`` is
sample output from the author's own runs, often personal. The parser reports
which of those it dropped.

The content hash answers "is this the same workflow as one in my catalog?"
Two workflows get the same hash when they would behave the same once
installed: the same nodes (by name) with the same type, type version,
parameters, credential types, disabled flag and run options, wired the same
way. What a user would not call a different workflow is left out: the
workflow's name and settings, node ids, webhook ids, positions, notes, sticky
notes, the order of nodes, and which of the author's credentials was chosen.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mantra_desktop.workflows.node_types import is_sticky_note

# Node options that change how a node runs, so they count in the content hash.
RUN_OPTION_FIELDS = (
    "disabled",
    "retryOnFail",
    "maxTries",
    "waitBetweenTries",
    "alwaysOutputData",
    "executeOnce",
    "onError",
    "continueOnFail",
)

KEPT_TOP_LEVEL_KEYS = ("name", "nodes", "connections", "settings")


@dataclass(frozen=True, slots=True)
class Connection:
    """One wire: output ``source_output`` of ``source`` to input ``target_input``.

    ``kind`` is the connection type n8n files it under: ``main`` for item flow,
    ``ai_languageModel``, ``ai_tool``, ``ai_memory`` and so on for the LangChain
    sub-nodes (which point from the sub-node to the node using it).
    """

    source: str
    source_output: int
    target: str
    target_input: int
    kind: str


def _as_index(value: object) -> int:
    """Read a connection index; n8n writes ints, anything else counts as 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return int(value)


def iter_connections(connections: object) -> Iterator[Connection]:
    """Yield every well-formed wire in an n8n ``connections`` mapping.

    Malformed parts are skipped, not reported: ``parse`` validates documents;
    this reads any workflow, including one fetched from a server.
    """
    if not isinstance(connections, Mapping):
        return
    for source, by_kind in connections.items():
        if not isinstance(source, str) or not isinstance(by_kind, Mapping):
            continue
        for kind, outputs in by_kind.items():
            if not isinstance(kind, str) or not isinstance(outputs, list):
                continue
            for output_index, wires in enumerate(outputs):
                if not isinstance(wires, list):
                    continue
                for wire in wires:
                    if not isinstance(wire, Mapping):
                        continue
                    target = wire.get("node")
                    if not isinstance(target, str):
                        continue
                    wire_kind = wire.get("type")
                    yield Connection(
                        source=source,
                        source_output=output_index,
                        target=target,
                        target_input=_as_index(wire.get("index")),
                        kind=wire_kind if isinstance(wire_kind, str) else kind,
                    )


def _plain_numbers(value: Any) -> Any:
    """Return ``value`` with whole floats as ints, so 1.0 and 1 hash alike."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_numbers(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """Serialise ``value`` the same way every time: sorted keys, no spaces."""
    return json.dumps(
        _plain_numbers(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )


def _sha256(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def credential_types(node: Mapping[str, Any]) -> list[str]:
    """Return the credential types a node references, in both n8n formats."""
    credentials = node.get("credentials")
    if not isinstance(credentials, Mapping):
        return []
    return sorted(str(k) for k in credentials)


def _wires(connections: object) -> list[list[Any]]:
    return sorted(
        [c.source, c.kind, c.source_output, c.target, c.target_input]
        for c in iter_connections(connections)
    )


def content_hash(workflow: Mapping[str, Any]) -> str:
    """Return the sha256 hex digest of what the workflow does (see module doc)."""
    nodes = workflow.get("nodes")
    behaviour = []
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, Mapping) or is_sticky_note(str(node.get("type"))):
            continue
        entry = {
            "name": node.get("name"),
            "type": node.get("type"),
            "typeVersion": node.get("typeVersion", 1),
            "parameters": node.get("parameters") or {},
            "credentials": credential_types(node),
        }
        entry.update({f: node[f] for f in RUN_OPTION_FIELDS if f in node})
        behaviour.append(entry)
    behaviour.sort(key=lambda entry: str(entry["name"]))
    return _sha256({"nodes": behaviour, "wires": _wires(workflow.get("connections"))})


def installed_fingerprint(workflow: Mapping[str, Any]) -> str:
    """Return the sha256 hex digest of a workflow as a server holds it.

    Unlike ``content_hash`` it counts the credential ids bound to each node and
    the webhook ids, because those are what an installation chose; it ignores
    fields a server adds or rewrites (ids, timestamps, settings defaults,
    positions, version ids, tags).
    """
    nodes = workflow.get("nodes")
    held = []
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, Mapping) or is_sticky_note(str(node.get("type"))):
            continue
        credentials = node.get("credentials")
        bound = {}
        if isinstance(credentials, Mapping):
            for kind, ref in credentials.items():
                bound[str(kind)] = ref.get("id") if isinstance(ref, Mapping) else ref
        entry = {
            "name": node.get("name"),
            "type": node.get("type"),
            "typeVersion": node.get("typeVersion", 1),
            "parameters": node.get("parameters") or {},
            "credentials": bound,
            "webhookId": node.get("webhookId"),
        }
        entry.update({f: node[f] for f in RUN_OPTION_FIELDS if f in node})
        held.append(entry)
    held.sort(key=lambda entry: str(entry["name"]))
    return _sha256({"nodes": held, "wires": _wires(workflow.get("connections"))})


def normalise_workflow(
    raw: Mapping[str, Any], *, name: str
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Return the normalised copy of a validated workflow and the keys dropped.

    ``raw`` must already have a list of node objects. The dropped keys are the
    top-level keys left out that held something (an empty ``pinData`` is not
    reported).
    """
    nodes = []
    for node in raw["nodes"]:
        copy = json.loads(json.dumps(node))
        if not isinstance(copy.get("parameters"), dict):
            copy["parameters"] = {}
        nodes.append(copy)
    connections = raw.get("connections")
    settings = raw.get("settings")
    workflow = {
        "name": name,
        "nodes": nodes,
        "connections": json.loads(json.dumps(connections))
        if isinstance(connections, Mapping)
        else {},
        "settings": json.loads(json.dumps(settings))
        if isinstance(settings, Mapping)
        else {},
    }
    dropped = tuple(
        key
        for key, value in raw.items()
        if key not in KEPT_TOP_LEVEL_KEYS
        and key != "description"
        and value not in (None, {}, [], "", False)
    )
    return workflow, dropped
