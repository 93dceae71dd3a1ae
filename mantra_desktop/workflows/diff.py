"""What changed between two versions of a workflow, node by node.

Nodes are matched by name, as n8n connects them. A node has changed when its
type, type version, parameters, credential types or disabled flag differ;
moving it, renaming its credential or editing its notes is not a change.
Sticky notes are documentation and are left out. Connections are compared as
sets of wires.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mantra_desktop.workflows.facts import workflow_nodes
from mantra_desktop.workflows.node_types import is_sticky_note
from mantra_desktop.workflows.normalise import (
    Connection,
    canonical_json,
    credential_types,
    iter_connections,
)

_COMPARED = ("type", "typeVersion", "parameters", "credentials", "disabled")


@dataclass(frozen=True)
class NodeChange:
    """A node present in both versions whose ``fields`` differ."""

    name: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class WorkflowDiff:
    """The difference from ``old`` to ``new``; names are sorted."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[NodeChange, ...]
    connections_added: tuple[Connection, ...]
    connections_removed: tuple[Connection, ...]

    @property
    def is_empty(self) -> bool:
        """Tell whether the two versions do the same thing."""
        return not (
            self.added
            or self.removed
            or self.changed
            or self.connections_added
            or self.connections_removed
        )

    @property
    def summary(self) -> str:
        """Return one short sentence for the user, e.g. for an update dialog."""
        if self.is_empty:
            return "No changes."
        parts = []
        if self.added:
            parts.append(
                f"{_count(len(self.added), 'node')} added ({_names(self.added)})"
            )
        if self.removed:
            parts.append(
                f"{_count(len(self.removed), 'node')} removed ({_names(self.removed)})"
            )
        if self.changed:
            names = tuple(c.name for c in self.changed)
            parts.append(f"{_count(len(names), 'node')} changed ({_names(names)})")
        wires = len(self.connections_added) + len(self.connections_removed)
        if wires:
            parts.append(f"{_count(wires, 'connection')} changed")
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _names(names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _comparable(node: Mapping[str, Any]) -> dict[str, str]:
    values = {
        "type": node.get("type"),
        "typeVersion": node.get("typeVersion", 1),
        "parameters": node.get("parameters") or {},
        "credentials": credential_types(node),
        "disabled": node.get("disabled") is True,
    }
    return {key: canonical_json(values[key]) for key in _COMPARED}


def _by_name(workflow: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {
        node["name"]: node
        for node in workflow_nodes(workflow)
        if not is_sticky_note(node["type"])
    }


def diff_workflows(old: Mapping[str, Any], new: Mapping[str, Any]) -> WorkflowDiff:
    """Compare two workflow dicts (see the module doc for what counts)."""
    old_nodes, new_nodes = _by_name(old), _by_name(new)
    changed = []
    for name in sorted(old_nodes.keys() & new_nodes.keys()):
        before, after = _comparable(old_nodes[name]), _comparable(new_nodes[name])
        fields = tuple(f for f in _COMPARED if before[f] != after[f])
        if fields:
            changed.append(NodeChange(name, fields))

    old_wires = set(iter_connections(old.get("connections")))
    new_wires = set(iter_connections(new.get("connections")))

    def order(c: Connection) -> tuple[str, str, int, str, int]:
        return (c.source, c.kind, c.source_output, c.target, c.target_input)

    return WorkflowDiff(
        added=tuple(sorted(new_nodes.keys() - old_nodes.keys())),
        removed=tuple(sorted(old_nodes.keys() - new_nodes.keys())),
        changed=tuple(changed),
        connections_added=tuple(sorted(new_wires - old_wires, key=order)),
        connections_removed=tuple(sorted(old_wires - new_wires, key=order)),
    )
