"""Turn a catalog workflow into the body n8n's public API accepts on create.

n8n's ``POST /api/v1/workflows`` takes ``name``, ``nodes``, ``connections`` and
``settings`` and refuses any other key, any unknown node field and any unknown
settings key. ``prepare_for_install`` builds exactly that, and makes each
installation its own: fresh node ids and webhook ids, and webhook paths that
start with a segment derived from the installation id, so installing the same
mantra twice on one server never registers the same path twice.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import uuid
from collections.abc import Mapping, Set
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mantra_desktop.workflows.facts import derive_facts, workflow_nodes
from mantra_desktop.workflows.layout import auto_positions, read_position
from mantra_desktop.workflows.node_types import (
    NOT_ACTIVATING_TRIGGERS,
    TriggerKind,
    is_built_in,
    split_type,
)
from mantra_desktop.workflows.normalise import installed_fingerprint

logger = logging.getLogger(__name__)

# Node fields every supported n8n version accepts, with the JSON type each
# must have; a field of another type is left out rather than refused.
_NODE_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "name": (str,),
    "type": (str,),
    "typeVersion": (int, float),
    "position": (list,),
    "parameters": (dict,),
    "credentials": (dict,),
    "disabled": (bool,),
    "notes": (str,),
    "notesInFlow": (bool,),
    "webhookId": (str,),
    "retryOnFail": (bool,),
    "maxTries": (int, float),
    "waitBetweenTries": (int, float),
    "alwaysOutputData": (bool,),
    "executeOnce": (bool,),
    "onError": (str,),
    "continueOnFail": (bool,),
}
NODE_FIELDS = frozenset(_NODE_FIELDS)

# Settings keys n8n 1.x and 2.x both accept on create, with a check of each
# value. ``errorWorkflow`` and ``callerIds`` are left out on purpose: they hold
# workflow ids of the author's server, which mean nothing on the user's.
_SETTINGS_CHECKS: dict[str, Any] = {
    "executionOrder": lambda v: v in ("v0", "v1"),
    "timezone": lambda v: isinstance(v, str) and bool(v),
    "saveDataErrorExecution": lambda v: v in ("all", "none"),
    "saveDataSuccessExecution": lambda v: v in ("all", "none"),
    "saveManualExecutions": lambda v: isinstance(v, bool),
    "saveExecutionProgress": lambda v: isinstance(v, bool),
    "executionTimeout": lambda v: (
        isinstance(v, int | float) and not isinstance(v, bool)
    ),
    "callerPolicy": lambda v: (
        v in ("any", "none", "workflowsFromAList", "workflowsFromSameOwner")
    ),
    "timeSavedPerExecution": lambda v: (
        isinstance(v, int | float) and not isinstance(v, bool)
    ),
    "availableInMCP": lambda v: isinstance(v, bool),
}
BASE_SETTINGS_KEYS = frozenset(
    {
        "executionOrder",
        "timezone",
        "saveDataErrorExecution",
        "saveDataSuccessExecution",
        "saveManualExecutions",
        "saveExecutionProgress",
        "executionTimeout",
    }
)
# Keys only newer servers accept; pass them in ``accepted_settings`` when the
# server's version is known to take them.
NEWER_SETTINGS_KEYS = frozenset(
    {"callerPolicy", "timeSavedPerExecution", "availableInMCP"}
)
DEFAULT_EXECUTION_ORDER = "v1"

# Node types whose ``path`` parameter is the URL path they listen on.
_WEBHOOK_PATH_TYPES = frozenset(
    {
        "n8n-nodes-base.webhook",
        "n8n-nodes-base.formTrigger",
        "@n8n/n8n-nodes-langchain.mcpTrigger",
    }
)
_WEBHOOK_ID_TYPES = _WEBHOOK_PATH_TYPES | {
    "n8n-nodes-base.form",
    "n8n-nodes-base.wait",
    "@n8n/n8n-nodes-langchain.chatTrigger",
}


class InstallWarningKind(StrEnum):
    """What ``check_install`` found."""

    UNKNOWN_NODE_TYPE = "unknown_node_type"
    COMMUNITY_NODE_TYPE = "community_node_type"
    CANNOT_ACTIVATE = "cannot_activate"


@dataclass(frozen=True)
class InstallWarning:
    """Something to tell the user before installing; it does not stop the install."""

    kind: InstallWarningKind
    message: str
    node_names: tuple[str, ...] = ()


def install_path_prefix(install_id: str) -> str:
    """Return the path segment that makes an installation's webhook paths unique.

    It is the first 12 hex digits of the sha256 of ``install_id``: the same
    for every retry of one installation, different between installations.
    """
    return hashlib.sha256(install_id.encode("utf-8")).hexdigest()[:12]


def installed_name(mantra_name: str, mantra_version: int) -> str:
    """Return the name an installed workflow gets: ``"<mantra> (mantra v3)"``."""
    return f"{mantra_name} (mantra v{mantra_version})"


def _unique_path(prefix: str, path: object) -> object:
    """Prefix a static webhook path; leave expressions and non-strings alone."""
    if not isinstance(path, str) or path.startswith("="):
        return path
    rest = path.strip().strip("/")
    if rest.startswith(f"{prefix}/") or rest == prefix:
        return rest
    return f"{prefix}/{rest}" if rest else prefix


def _make_paths_unique(parameters: dict[str, Any], prefix: str) -> None:
    """Prefix the listening path, which form triggers may keep under options."""
    if "path" in parameters:
        parameters["path"] = _unique_path(prefix, parameters["path"])
    options = parameters.get("options")
    if isinstance(options, dict) and "path" in options:
        options["path"] = _unique_path(prefix, options["path"])


def _valid(field_name: str, value: object) -> bool:
    expected = _NODE_FIELDS[field_name]
    if isinstance(value, bool) and bool not in expected:
        return False
    return isinstance(value, expected)


def prepare_for_install(
    workflow: Mapping[str, Any],
    *,
    install_id: str,
    mantra_name: str,
    mantra_version: int,
    credential_bindings: Mapping[tuple[str, str], Mapping[str, str] | None],
    accepted_settings: Set[str] = BASE_SETTINGS_KEYS,
) -> dict[str, Any]:
    """Return the create body for installing ``workflow`` on a server.

    ``credential_bindings`` maps a requirement's ``(type, template_name)``
    (see ``facts.CredentialRequirement.key``) to the server credential
    ``{"id", "name"}`` to use, or None to leave it for later; a requirement
    absent from the mapping is also left for later. Nodes of a requirement left
    for later carry no reference to it, so n8n shows the credential as missing.
    ``accepted_settings`` limits the settings keys sent; the default is the set
    every supported server accepts. The input is not changed.
    """
    nodes = workflow_nodes(workflow)
    bindings = _bindings_by_node(workflow, credential_bindings)
    prefix = install_path_prefix(install_id)
    missing_positions = any(read_position(node) is None for node in nodes)
    auto = auto_positions(workflow) if missing_positions else {}

    prepared_nodes = []
    for node in nodes:
        prepared = {
            key: copy.deepcopy(value)
            for key, value in node.items()
            if key in _NODE_FIELDS and _valid(key, value)
        }
        prepared["id"] = str(uuid.uuid4())
        prepared.setdefault("typeVersion", 1)
        prepared.setdefault("parameters", {})
        position = read_position(node)
        if position is None:
            position = auto.get(node["name"], (0.0, 0.0))
        prepared["position"] = [position[0], position[1]]

        node_type = node["type"]
        if "webhookId" in node or node_type in _WEBHOOK_ID_TYPES:
            prepared["webhookId"] = str(uuid.uuid4())
        if node_type in _WEBHOOK_PATH_TYPES:
            _make_paths_unique(prepared["parameters"], prefix)

        credentials = bindings.get(node["name"], {})
        if credentials:
            prepared["credentials"] = credentials
        else:
            prepared.pop("credentials", None)
        prepared_nodes.append(prepared)

    settings = _settings(workflow.get("settings"), accepted_settings)
    body = {
        "name": installed_name(mantra_name, mantra_version),
        "nodes": prepared_nodes,
        "connections": copy.deepcopy(workflow.get("connections") or {}),
        "settings": settings,
    }
    logger.debug(
        "prepared %d nodes of %s for installation %s",
        len(prepared_nodes),
        mantra_name,
        install_id,
    )
    return body


def _bindings_by_node(
    workflow: Mapping[str, Any],
    credential_bindings: Mapping[tuple[str, str], Mapping[str, str] | None],
) -> dict[str, dict[str, dict[str, str]]]:
    """Return, per node name, the credential references it gets on the server."""
    by_node: dict[str, dict[str, dict[str, str]]] = {}
    for requirement in derive_facts(workflow).credentials:
        bound = credential_bindings.get(requirement.key)
        if bound is None:
            continue
        reference = {"id": str(bound["id"]), "name": str(bound.get("name", ""))}
        for node_name in requirement.node_names:
            by_node.setdefault(node_name, {})[requirement.type] = dict(reference)
    return by_node


def _settings(settings: object, accepted: Set[str]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    if isinstance(settings, Mapping):
        for key, value in settings.items():
            check = _SETTINGS_CHECKS.get(key)
            if key in accepted and check is not None and check(value):
                kept[key] = value
    if "executionOrder" in accepted:
        kept.setdefault("executionOrder", DEFAULT_EXECUTION_ORDER)
    return kept


def workflow_fingerprint(workflow: Mapping[str, Any]) -> str:
    """Return a digest to compare a server's copy with what was installed.

    Compute it on the body ``prepare_for_install`` returned and store it with
    the installation; later compute it on ``GET /workflows/{id}`` and compare:
    the two are equal when nobody changed the workflow. It counts node names,
    types, versions, parameters, run options, bound credential ids, wiring, and
    the webhook ids of the node types ``prepare_for_install`` always gives one
    (webhook, form, wait and chat nodes). It ignores what a server adds or
    rewrites: workflow and node ids, timestamps, ``active``, ``versionId``,
    tags, settings defaults, positions, the workflow's name, and the webhook
    ids of other nodes, which n8n 2.x assigns itself to some of them (Slack's
    send-and-wait, for one).
    """
    nodes = workflow.get("nodes")
    if not isinstance(nodes, list):
        return installed_fingerprint(workflow)
    counted = [_without_server_webhook_id(node) for node in nodes]
    return installed_fingerprint({**workflow, "nodes": counted})


def _without_server_webhook_id(node: object) -> object:
    """Drop a node's webhook id unless the install itself always sets one."""
    if (
        isinstance(node, Mapping)
        and "webhookId" in node
        and node.get("type") not in _WEBHOOK_ID_TYPES
    ):
        return {key: value for key, value in node.items() if key != "webhookId"}
    return node


def check_install(
    workflow: Mapping[str, Any], known_node_types: Set[str] | None
) -> list[InstallWarning]:
    """List what will go wrong after installing ``workflow``, if anything.

    n8n accepts unknown node types on create and fails only when the
    workflow runs, so with ``known_node_types`` (the types the server
    reports) each unknown type is named; without it, types from community
    packages are named instead, as they need a package a plain server lacks.
    A workflow whose enabled triggers can only run by hand, when called by
    another workflow or when one fails, cannot be activated.
    """
    nodes = workflow_nodes(workflow)
    warnings: list[InstallWarning] = []

    by_type: dict[str, list[str]] = {}
    for node in nodes:
        by_type.setdefault(node["type"], []).append(node["name"])
    for node_type, names in sorted(by_type.items()):
        if known_node_types is not None:
            if node_type not in known_node_types:
                warnings.append(
                    InstallWarning(
                        InstallWarningKind.UNKNOWN_NODE_TYPE,
                        f'The server does not know the node type "{node_type}" '
                        f"(used by {_listed(names)}); those nodes will fail.",
                        tuple(names),
                    )
                )
        elif not is_built_in(node_type):
            package = split_type(node_type)[0] or node_type
            warnings.append(
                InstallWarning(
                    InstallWarningKind.COMMUNITY_NODE_TYPE,
                    f'"{node_type}" (used by {_listed(names)}) comes from the '
                    f'community package "{package}", which the server must have '
                    "installed.",
                    tuple(names),
                )
            )

    facts = derive_facts(workflow)
    if not facts.triggers:
        warnings.append(
            InstallWarning(
                InstallWarningKind.CANNOT_ACTIVATE,
                "The workflow has no trigger, so it cannot be activated; it can "
                "only be run from the n8n editor.",
            )
        )
    elif all(kind in NOT_ACTIVATING_TRIGGERS for kind in facts.triggers):
        warnings.append(
            InstallWarning(
                InstallWarningKind.CANNOT_ACTIVATE,
                _not_activating_message(facts.triggers),
            )
        )
    return warnings


def _not_activating_message(kinds: tuple[TriggerKind, ...]) -> str:
    ways = {
        TriggerKind.MANUAL: "run by hand in the n8n editor",
        TriggerKind.SUB_WORKFLOW: "called by another workflow",
        TriggerKind.ERROR: "started when another workflow fails",
    }
    how = " or ".join(ways[k] for k in kinds if k in ways)
    return f"The workflow cannot be activated: it is only {how}."


def _listed(names: list[str]) -> str:
    shown = ", ".join(f'"{n}"' for n in names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")
