"""Read a file a user imports into the workflows it holds, or the reasons it holds none.

A document is the bytes of one file. ``parse_document`` accepts every shape
n8n and its users produce:

- one workflow object (an editor or API export, read-only fields included);
- a list of them (``n8n export:workflow --all``), or an API page
  ``{"data": [...], "nextCursor": ...}``;
- a template wrapper ``{"name", "description", "workflow": {...}}`` as the
  starter catalog writes it, and n8n's template site form, where the wrapper
  holds a second wrapper; the outermost non-empty name and description win.

Text may be UTF-8 with or without a byte order mark, or UTF-16 with one.
Trailing commas (which n8n's own import refuses) are tolerated and noted.
Each workflow in the document is accepted or rejected on its own, so one bad
entry in a list does not hide the good ones. Nothing here raises.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mantra_desktop.workflows.normalise import content_hash, normalise_workflow

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 5_000_000
_MAX_WRAPPER_DEPTH = 4
_MAX_NAMES_IN_REASON = 3
_MAX_COMMA_REPAIRS = 50


class RejectionKind(StrEnum):
    """Why a document, or one workflow in it, was not accepted."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NOT_TEXT = "not_text"
    NOT_JSON = "not_json"
    NOT_A_WORKFLOW = "not_a_workflow"
    NO_NODES = "no_nodes"
    BAD_NODE = "bad_node"
    NODE_WITHOUT_NAME = "node_without_name"
    NODE_WITHOUT_TYPE = "node_without_type"
    DUPLICATE_NODE_NAMES = "duplicate_node_names"
    BAD_CONNECTIONS = "bad_connections"
    UNKNOWN_CONNECTION_NODE = "unknown_connection_node"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class WorkflowDocument:
    """One accepted workflow.

    ``workflow`` is the normalised dict described in ``normalise``; treat it as
    read-only and copy it before changing it. ``description`` is Markdown, empty
    when the file has none. ``dropped`` names the top-level keys that were left
    out (``pinData``, ``staticData``, ``meta``...), and ``notes`` any repair made
    while reading (a trailing comma, a byte order mark is not worth one).
    """

    source: str
    name: str
    description: str
    workflow: dict[str, Any] = field(hash=False)
    content_hash: str
    dropped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejection:
    """One thing in a document that could not be imported, and why."""

    source: str
    kind: RejectionKind
    reason: str

    @property
    def message(self) -> str:
        """Return the reason prefixed with where it was found, for display."""
        return f"{self.source}: {self.reason}"


@dataclass(frozen=True)
class ParseResult:
    """The workflows a document holds and the parts of it that were refused."""

    source: str
    accepted: tuple[WorkflowDocument, ...]
    rejected: tuple[Rejection, ...]

    @property
    def ok(self) -> bool:
        """Tell whether at least one workflow was accepted and nothing refused."""
        return bool(self.accepted) and not self.rejected


class _Refused(Exception):
    """Internal: a workflow is rejected with this kind and reason."""

    def __init__(self, kind: RejectionKind, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class _Wrapper:
    name: str = ""
    description: str = ""


def parse_document(
    raw: bytes, *, source: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParseResult:
    """Read the workflows in one imported file.

    ``source`` names the file in reasons and in ``WorkflowDocument.source``
    (entries of a list get ", workflow 2" appended). Never raises: every
    failure becomes a ``Rejection`` with a reason a user can act on.
    """
    try:
        return _parse(raw, source=source, max_bytes=max_bytes)
    except Exception as error:  # the promise is to never raise on any input
        logger.warning("could not read %s", source, exc_info=True)
        reason = f"could not be read ({type(error).__name__})"
        return ParseResult(
            source, (), (Rejection(source, RejectionKind.UNREADABLE, reason),)
        )


def _parse(raw: bytes, *, source: str, max_bytes: int) -> ParseResult:
    def refuse(kind: RejectionKind, reason: str) -> ParseResult:
        return ParseResult(source, (), (Rejection(source, kind, reason),))

    if not isinstance(raw, bytes | bytearray | memoryview):
        return refuse(RejectionKind.NOT_TEXT, "is not file content (expected bytes)")
    raw = bytes(raw)
    if len(raw) > max_bytes:
        return refuse(
            RejectionKind.TOO_LARGE,
            f"is {_size(len(raw))}, larger than the {_size(max_bytes)} limit",
        )

    try:
        text = _decode(raw)
    except UnicodeDecodeError as error:
        return refuse(
            RejectionKind.NOT_TEXT,
            f"is not UTF-8 text (byte 0x{raw[error.start]:02x} at offset "
            f"{error.start} cannot be decoded)",
        )
    if not text.strip():
        return refuse(RejectionKind.EMPTY, "is empty")

    notes: tuple[str, ...] = ()
    try:
        value, repairs = _load_json_repairing(text)
    except json.JSONDecodeError as error:
        return refuse(
            RejectionKind.NOT_JSON,
            f"is not valid JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}",
        )
    except ValueError as error:
        return refuse(RejectionKind.NOT_JSON, f"is not valid JSON: {error}")
    except RecursionError:
        return refuse(RejectionKind.NOT_JSON, "is nested too deeply to be a workflow")
    if repairs:
        notes = (f"{_count(repairs, 'trailing comma')} removed",)

    accepted: list[WorkflowDocument] = []
    rejected: list[Rejection] = []
    _collect(value, source, _Wrapper(), 0, notes, accepted, rejected)
    logger.debug(
        "read %s: %d accepted, %d rejected", source, len(accepted), len(rejected)
    )
    return ParseResult(source, tuple(accepted), tuple(rejected))


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} MB"
    if count >= 1_000:
        return f"{count / 1_000:.0f} kB"
    return f"{count} bytes"


def _decode(raw: bytes) -> str:
    """Decode UTF-8 (a byte order mark is skipped) or UTF-16 with a mark."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _load_json(text: str) -> Any:
    return json.loads(text, parse_constant=_reject_constant)


def _load_json_repairing(text: str) -> tuple[Any, int]:
    """Parse JSON, removing trailing commas; return the value and the removals.

    The parser itself says where it stopped, so a comma inside a string is
    never touched. Raises the first error when it is not a trailing comma.
    """
    repairs = 0
    first_error: json.JSONDecodeError | None = None
    while True:
        try:
            return _load_json(text), repairs
        except json.JSONDecodeError as error:
            first_error = first_error or error
            comma = _trailing_comma_before(text, error.pos)
            if comma is None or repairs >= _MAX_COMMA_REPAIRS:
                raise first_error from None
            text = text[:comma] + text[comma + 1 :]
            repairs += 1


def _trailing_comma_before(text: str, position: int) -> int | None:
    """Return the index of a comma right before the bracket at ``position``."""
    if position >= len(text) or text[position] not in "]}":
        return None
    index = position - 1
    while index >= 0 and text[index] in " \t\r\n":
        index -= 1
    return index if index >= 0 and text[index] == "," else None


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _describe(value: object) -> str:
    """Say in a few words what a JSON value is, for a 'not a workflow' reason."""
    if isinstance(value, Mapping):
        keys = [str(k) for k in list(value)[:6]]
        if not keys:
            return "an empty object"
        more = ", ..." if len(value) > len(keys) else ""
        return "an object with keys " + ", ".join(f'"{k}"' for k in keys) + more
    if isinstance(value, list):
        return f"a list of {len(value)} items" if value else "an empty list"
    if isinstance(value, bool):
        return "a true/false value"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return type(value).__name__


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _collect(
    value: object,
    label: str,
    wrapper: _Wrapper,
    depth: int,
    notes: tuple[str, ...],
    accepted: list[WorkflowDocument],
    rejected: list[Rejection],
) -> None:
    """Walk one JSON value, filing each workflow found as accepted or rejected."""

    def reject(kind: RejectionKind, reason: str) -> None:
        rejected.append(Rejection(label, kind, reason))

    if depth > _MAX_WRAPPER_DEPTH:
        reject(RejectionKind.NOT_A_WORKFLOW, "is wrapped too deeply to be a workflow")
        return

    if isinstance(value, list):
        if not value:
            reject(RejectionKind.NOT_A_WORKFLOW, "is an empty list, not a workflow")
        for index, item in enumerate(value, start=1):
            _collect(
                item,
                f"{label}, workflow {index}",
                wrapper,
                depth + 1,
                notes,
                accepted,
                rejected,
            )
        return

    if not isinstance(value, Mapping):
        reject(
            RejectionKind.NOT_A_WORKFLOW,
            f"is not a workflow: found {_describe(value)}",
        )
        return

    if "nodes" in value:
        try:
            accepted.append(_accept(value, label, wrapper, notes))
        except _Refused as refusal:
            reject(refusal.kind, refusal.reason)
        return

    inner = value.get("workflow")
    if isinstance(inner, str):
        try:
            inner = _load_json(inner)
        except (ValueError, RecursionError):
            reject(
                RejectionKind.NOT_JSON,
                'has a "workflow" text that is not valid JSON',
            )
            return
    if isinstance(inner, Mapping | list):
        outer = _Wrapper(
            name=wrapper.name or _text(value.get("name")),
            description=wrapper.description or _text(value.get("description")),
        )
        _collect(inner, label, outer, depth + 1, notes, accepted, rejected)
        return

    for key in ("data", "workflows"):
        if isinstance(value.get(key), list):
            _collect(value[key], label, wrapper, depth + 1, notes, accepted, rejected)
            return

    reject(
        RejectionKind.NOT_A_WORKFLOW,
        f'is not a workflow: found {_describe(value)} but no "nodes" list',
    )


def _names(names: list[str]) -> str:
    shown = ", ".join(f'"{n}"' for n in names[:_MAX_NAMES_IN_REASON])
    extra = len(names) - _MAX_NAMES_IN_REASON
    return shown + (f" and {extra} more" if extra > 0 else "")


def _accept(
    raw: Mapping[str, Any], label: str, wrapper: _Wrapper, notes: tuple[str, ...]
) -> WorkflowDocument:
    """Validate one workflow object and build its document, or raise _Refused."""
    nodes = raw["nodes"]
    if not isinstance(nodes, list):
        raise _Refused(
            RejectionKind.NOT_A_WORKFLOW,
            f'is not a workflow: "nodes" is {_describe(nodes)}, not a list',
        )
    if not nodes:
        raise _Refused(RejectionKind.NO_NODES, "has no nodes")

    names: list[str] = []
    for position, node in enumerate(nodes, start=1):
        if not isinstance(node, Mapping):
            raise _Refused(
                RejectionKind.BAD_NODE,
                f"node {position} is {_describe(node)}, not a node object",
            )
        name = node.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _Refused(
                RejectionKind.NODE_WITHOUT_NAME, f"node {position} has no name"
            )
        node_type = node.get("type")
        if not isinstance(node_type, str) or not node_type.strip():
            raise _Refused(
                RejectionKind.NODE_WITHOUT_TYPE, f'node "{name}" has no type'
            )
        parameters = node.get("parameters")
        if parameters is not None and not isinstance(parameters, Mapping):
            raise _Refused(
                RejectionKind.BAD_NODE,
                f'node "{name}" has parameters that are {_describe(parameters)}, '
                "not an object",
            )
        names.append(name)

    duplicates = sorted(n for n, count in Counter(names).items() if count > 1)
    if duplicates:
        raise _Refused(
            RejectionKind.DUPLICATE_NODE_NAMES,
            f"more than one node is named {_names(duplicates)}; n8n connects "
            "nodes by name, so names must be unique",
        )

    _check_connections(raw.get("connections"), nodes)

    name = wrapper.name or _text(raw.get("name")) or _name_from_label(label)
    description = wrapper.description or _text(raw.get("description"))
    workflow, dropped = normalise_workflow(raw, name=name)
    return WorkflowDocument(
        source=label,
        name=name,
        description=description,
        workflow=workflow,
        content_hash=content_hash(workflow),
        dropped=dropped,
        notes=notes,
    )


def _name_from_label(label: str) -> str:
    """Make a workflow name from a file name: ``path/my_flow.json`` -> my flow."""
    stem = re.split(r"[\\/]", label.split(",")[0])[-1]
    stem = re.sub(r"\.json$", "", stem, flags=re.IGNORECASE)
    return re.sub(r"[_\s]+", " ", stem).strip() or "Imported workflow"


def _check_connections(connections: object, nodes: list[Mapping[str, Any]]) -> None:
    """Raise _Refused unless every wire joins two nodes that exist."""
    if connections is None:
        return
    if not isinstance(connections, Mapping):
        raise _Refused(
            RejectionKind.BAD_CONNECTIONS,
            f'"connections" is {_describe(connections)}, not an object',
        )
    names = {node["name"] for node in nodes}
    name_by_id = {
        node.get("id"): node["name"]
        for node in nodes
        if isinstance(node.get("id"), str)
    }

    def unknown(missing: str, role: str) -> _Refused:
        hint = ""
        if missing in name_by_id:
            hint = (
                f' ("{missing}" is the id of node "{name_by_id[missing]}", but n8n '
                "connects nodes by name)"
            )
        return _Refused(
            RejectionKind.UNKNOWN_CONNECTION_NODE,
            f'a connection {role} node "{missing}", which does not exist{hint}',
        )

    for source, by_kind in connections.items():
        if source not in names:
            raise unknown(source, "starts at")
        if not isinstance(by_kind, Mapping):
            raise _Refused(
                RejectionKind.BAD_CONNECTIONS,
                f'the connections of node "{source}" are {_describe(by_kind)}, '
                "not an object",
            )
        for kind, outputs in by_kind.items():
            if not isinstance(outputs, list):
                raise _Refused(
                    RejectionKind.BAD_CONNECTIONS,
                    f'the "{kind}" connections of node "{source}" are '
                    f"{_describe(outputs)}, not a list of outputs",
                )
            for wires in outputs:
                if wires is None:
                    continue
                if not isinstance(wires, list):
                    raise _Refused(
                        RejectionKind.BAD_CONNECTIONS,
                        f'an output of node "{source}" is {_describe(wires)}, '
                        "not a list of connections",
                    )
                for wire in wires:
                    target = wire.get("node") if isinstance(wire, Mapping) else None
                    if not isinstance(target, str):
                        raise _Refused(
                            RejectionKind.BAD_CONNECTIONS,
                            f'a connection from node "{source}" does not name '
                            "its target node",
                        )
                    if target not in names:
                        raise unknown(target, f'from "{source}" goes to')
