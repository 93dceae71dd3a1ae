"""n8n workflow JSON as data: read, describe, draw, compare and prepare workflows.

Pure functions over bytes, strings and dicts: no files, no network, no Qt, no
database. The modules, in the order a workflow meets them:

- ``parse``: an imported file to accepted workflows and reasoned rejections
- ``normalise``: the kept form of a workflow and its content hash
- ``facts``: apps, triggers and required credentials
- ``layout``: the graph to draw
- ``diff``: what changed between two versions
- ``prepare``: the create body for n8n's API, and warnings before installing
- ``export``: a file n8n's editor imports
"""

from mantra_desktop.workflows.diff import NodeChange, WorkflowDiff, diff_workflows
from mantra_desktop.workflows.export import to_n8n_file
from mantra_desktop.workflows.facts import (
    GOOGLE_CREDENTIAL_TYPES,
    CredentialRequirement,
    WorkflowFacts,
    derive_facts,
)
from mantra_desktop.workflows.layout import (
    Bounds,
    GraphEdge,
    GraphNode,
    StickyNote,
    WorkflowGraph,
    workflow_graph,
)
from mantra_desktop.workflows.node_types import TriggerKind
from mantra_desktop.workflows.normalise import Connection, content_hash
from mantra_desktop.workflows.parse import (
    ParseResult,
    Rejection,
    RejectionKind,
    WorkflowDocument,
    parse_document,
)
from mantra_desktop.workflows.prepare import (
    BASE_SETTINGS_KEYS,
    NEWER_SETTINGS_KEYS,
    InstallWarning,
    InstallWarningKind,
    check_install,
    prepare_for_install,
    workflow_fingerprint,
)

__all__ = [
    "BASE_SETTINGS_KEYS",
    "GOOGLE_CREDENTIAL_TYPES",
    "NEWER_SETTINGS_KEYS",
    "Bounds",
    "Connection",
    "CredentialRequirement",
    "GraphEdge",
    "GraphNode",
    "InstallWarning",
    "InstallWarningKind",
    "NodeChange",
    "ParseResult",
    "Rejection",
    "RejectionKind",
    "StickyNote",
    "TriggerKind",
    "WorkflowDiff",
    "WorkflowDocument",
    "WorkflowFacts",
    "WorkflowGraph",
    "check_install",
    "content_hash",
    "derive_facts",
    "diff_workflows",
    "parse_document",
    "prepare_for_install",
    "to_n8n_file",
    "workflow_fingerprint",
    "workflow_graph",
]
