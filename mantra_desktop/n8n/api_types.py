"""Shapes of what n8n's public API returns, as the client hands them to callers.

Workflows stay JSON dictionaries (a ``TypedDict``) because the workflow layer edits them
as data; the small records (tag, credential, execution, server) are frozen dataclasses.
Ids are always strings, whatever type the server used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from mantra_desktop.n8n.capabilities import Capabilities


class WorkflowTag(TypedDict, total=False):
    """A tag as embedded in a workflow."""

    id: str
    name: str


class Workflow(TypedDict, total=False):
    """A workflow as n8n returns it; only ``id`` and ``name`` are always present.

    Send it back through the workflow layer's whitelist, not as it is: n8n rejects
    read-only fields such as ``id``, ``active`` and ``tags`` on create and update.
    """

    id: str
    name: str
    active: bool
    nodes: list[dict[str, Any]]
    connections: dict[str, Any]
    settings: dict[str, Any]
    staticData: Any
    pinData: Any
    tags: list[WorkflowTag]
    versionId: str
    activeVersionId: str | None
    createdAt: str
    updatedAt: str


@dataclass(frozen=True)
class ServerInfo:
    """Version of an n8n server whose API key was just checked."""

    version: str
    """The n8n release, such as "1.123.50"; empty if the server did not say."""

    major: int
    """Major number of ``version``; 0 if unknown."""

    features: Capabilities
    """What this release line can do through the public API."""


@dataclass(frozen=True)
class Tag:
    """An n8n tag."""

    id: str
    name: str

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Tag:
        """Build a tag from the server's JSON."""
        return cls(id=str(raw["id"]), name=str(raw["name"]))


@dataclass(frozen=True)
class CredentialSummary:
    """An n8n credential without its secret data, which the API never returns."""

    id: str
    name: str
    type: str

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> CredentialSummary:
        """Build a credential summary from the server's JSON."""
        return cls(id=str(raw["id"]), name=str(raw["name"]), type=str(raw["type"]))


@dataclass(frozen=True)
class Execution:
    """One run of a workflow, without its node data.

    ``status`` is n8n's word ("success", "error", "running", "waiting", ...); older
    servers may leave it empty, in which case ``finished`` tells success.
    """

    id: str
    workflow_id: str
    status: str
    mode: str
    finished: bool
    started_at: str | None
    stopped_at: str | None

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Execution:
        """Build an execution from the server's JSON."""
        return cls(
            id=str(raw["id"]),
            workflow_id=str(raw.get("workflowId", "")),
            status=str(raw.get("status") or ""),
            mode=str(raw.get("mode") or ""),
            finished=bool(raw.get("finished", False)),
            started_at=raw.get("startedAt"),
            stopped_at=raw.get("stoppedAt"),
        )
