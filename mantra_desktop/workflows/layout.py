"""A workflow as a graph to draw: nodes where n8n puts them, wires, sticky notes.

Coordinates are n8n canvas units (x grows right, y grows down). A node's
position is its top-left corner, as in n8n, and every node is drawn as a
``NODE_SIZE`` square; sticky notes carry their own size. Nodes with a valid
position keep it exactly. Nodes without one are laid out left to right: a
node's column is the length of the longest chain of ``main`` wires leading to
it, and an AI sub-node (a model, memory or tool wired to an agent) sits below
the node it serves. When some nodes have positions, the laid-out ones go below
them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mantra_desktop.workflows.facts import workflow_nodes
from mantra_desktop.workflows.node_types import (
    icon_key,
    is_sticky_note,
    trigger_kind,
    type_label,
)
from mantra_desktop.workflows.normalise import iter_connections

NODE_SIZE = 100.0
COLUMN_GAP = 220.0
ROW_GAP = 160.0
STICKY_DEFAULT_WIDTH = 240.0
STICKY_DEFAULT_HEIGHT = 160.0
STICKY_DEFAULT_COLOR = 1


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A node to draw.

    ``label`` is the human name of the node's type ("Gmail", "If"), shown with
    the node's own ``name``. ``icon`` is a short key (see
    ``node_types.icon_key``). ``auto_placed`` is true when the file gave no
    position and the layout chose one.
    """

    name: str
    type: str
    label: str
    x: float
    y: float
    disabled: bool
    is_trigger: bool
    icon: str
    auto_placed: bool = False


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """A wire from an output of one node to an input of another.

    ``kind`` is ``main`` or an ``ai_*`` connection type; AI wires point from
    the sub-node to the node that uses it, as n8n stores them.
    """

    source: str
    source_output: int
    target: str
    target_input: int
    kind: str


@dataclass(frozen=True, slots=True)
class StickyNote:
    """A note on the canvas. ``content`` is Markdown; ``color`` is n8n's value
    (a number 1-7 or a ``#rrggbb`` string)."""

    name: str
    x: float
    y: float
    width: float
    height: float
    content: str
    color: int | str


@dataclass(frozen=True, slots=True)
class Bounds:
    """The rectangle holding every node and note; zero-sized when empty."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class WorkflowGraph:
    """Everything needed to draw a workflow. Edges only join drawn nodes."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    notes: tuple[StickyNote, ...]
    bounds: Bounds


def read_position(node: Mapping[str, Any]) -> tuple[float, float] | None:
    """Return a node's ``[x, y]`` position, or None when absent or not numbers."""
    position = node.get("position")
    if not isinstance(position, list | tuple) or len(position) < 2:
        return None
    x, y = position[0], position[1]
    for value in (x, y):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if not math.isfinite(value):
            return None
    return float(x), float(y)


def _number(value: object, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value) if math.isfinite(value) and value > 0 else default


def auto_positions(workflow: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Return a left-to-right position for every node that is not a sticky note.

    Positions start at (0, 0) and ignore the positions in the file; ``layout``
    uses them only for nodes that have none.
    """
    names = [
        n["name"] for n in workflow_nodes(workflow) if not is_sticky_note(n["type"])
    ]
    known = set(names)
    wires = [
        c
        for c in iter_connections(workflow.get("connections"))
        if c.source in known and c.target in known and c.source != c.target
    ]
    main = [c for c in wires if c.kind == "main"]
    serves = {c.source: c.target for c in wires if c.kind != "main"}

    column = dict.fromkeys(names, 0)
    # Longest path by relaxation; the bound keeps cycles from looping forever.
    for _ in range(len(names)):
        changed = False
        for wire in main:
            if column[wire.target] < column[wire.source] + 1:
                column[wire.target] = column[wire.source] + 1
                changed = True
        if not changed:
            break

    for name in names:
        host = serves.get(name)
        seen = {name}
        while host is not None and host not in seen:
            seen.add(host)
            column[name] = column[host]
            host = serves.get(host)

    rows: dict[int, int] = {}
    placed: dict[str, tuple[float, float]] = {}
    ordered = [n for n in names if n not in serves] + [n for n in names if n in serves]
    for name in ordered:
        row = rows.get(column[name], 0)
        rows[column[name]] = row + 1
        placed[name] = (column[name] * COLUMN_GAP, row * ROW_GAP)
    return placed


def workflow_graph(workflow: Mapping[str, Any]) -> WorkflowGraph:
    """Build the graph to draw for a workflow dict. Never raises on odd nodes."""
    nodes = workflow_nodes(workflow)
    fixed = {n["name"]: p for n in nodes if (p := read_position(n)) is not None}
    auto = auto_positions(workflow)

    offset_x = offset_y = 0.0
    if fixed:
        offset_x = min(x for x, _ in fixed.values())
        offset_y = max(y for _, y in fixed.values()) + NODE_SIZE + ROW_GAP

    drawn: list[GraphNode] = []
    notes: list[StickyNote] = []
    loose_notes = 0
    for node in nodes:
        name, node_type = node["name"], node["type"]
        position = fixed.get(name)
        if is_sticky_note(node_type):
            parameters = node.get("parameters")
            parameters = parameters if isinstance(parameters, Mapping) else {}
            if position is None:
                position = (offset_x, offset_y + loose_notes * ROW_GAP)
                loose_notes += 1
            color = parameters.get("color", STICKY_DEFAULT_COLOR)
            if isinstance(color, bool) or not isinstance(color, int | str):
                color = STICKY_DEFAULT_COLOR
            content = parameters.get("content")
            notes.append(
                StickyNote(
                    name=name,
                    x=position[0],
                    y=position[1],
                    width=_number(parameters.get("width"), STICKY_DEFAULT_WIDTH),
                    height=_number(parameters.get("height"), STICKY_DEFAULT_HEIGHT),
                    content=content if isinstance(content, str) else "",
                    color=color,
                )
            )
            continue
        auto_placed = position is None
        if position is None:
            ax, ay = auto[name]
            position = (ax + offset_x, ay + offset_y)
        drawn.append(
            GraphNode(
                name=name,
                type=node_type,
                label=type_label(node_type),
                x=position[0],
                y=position[1],
                disabled=node.get("disabled") is True,
                is_trigger=trigger_kind(node_type) is not None,
                icon=icon_key(node_type),
                auto_placed=auto_placed,
            )
        )

    drawn_names = {n.name for n in drawn}
    edges = tuple(
        GraphEdge(c.source, c.source_output, c.target, c.target_input, c.kind)
        for c in iter_connections(workflow.get("connections"))
        if c.source in drawn_names and c.target in drawn_names
    )
    return WorkflowGraph(tuple(drawn), edges, tuple(notes), _bounds(drawn, notes))


def _bounds(nodes: list[GraphNode], notes: list[StickyNote]) -> Bounds:
    boxes = [(n.x, n.y, n.x + NODE_SIZE, n.y + NODE_SIZE) for n in nodes]
    boxes += [(s.x, s.y, s.x + s.width, s.y + s.height) for s in notes]
    if not boxes:
        return Bounds(0.0, 0.0, 0.0, 0.0)
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[2] for b in boxes)
    bottom = max(b[3] for b in boxes)
    return Bounds(left, top, right - left, bottom - top)
