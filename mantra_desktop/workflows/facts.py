"""What a workflow uses and needs: apps, triggers, credentials, size.

The catalog filters on these facts and the install dialog lists the
credentials. ``derive_facts`` reads any workflow dict (normalised or as a
server returns it) and never raises on odd node contents.

Credentials are grouped as n8n groups them when a template is set up: by
credential type plus the name the template gave it. n8n writes a node's
reference in two formats, ``{"gmailOAuth2": {"id": "1", "name": "Gmail account"}}``
and the older ``{"gmailOAuth2": "Gmail account"}``; both give the template name
"Gmail account". A node that always needs a credential but has none (templates
often strip them) is still counted, with the type its ``authentication``
parameter selects. Such a node, or one whose reference has an empty name,
joins the group of the same type when the
workflow names exactly one credential of that type, and otherwise forms a group
with an empty template name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mantra_desktop.workflows.node_types import (
    BUILT_IN_PACKAGES,
    TRIGGER_PRECEDENCE,
    TriggerKind,
    app_name,
    is_sticky_note,
    split_type,
    trigger_kind,
)

# Credential types a linked Google account's OAuth tokens can fill.
GOOGLE_CREDENTIAL_TYPES = frozenset(
    {
        "gmailOAuth2",
        "googleAdsOAuth2Api",
        "googleAnalyticsOAuth2",
        "googleBigQueryOAuth2Api",
        "googleBooksOAuth2Api",
        "googleBusinessProfileOAuth2Api",
        "googleCalendarOAuth2Api",
        "googleChatOAuth2Api",
        "googleCloudNaturalLanguageOAuth2Api",
        "googleCloudStorageOAuth2Api",
        "googleContactsOAuth2Api",
        "googleDocsOAuth2Api",
        "googleDriveOAuth2Api",
        "googleFirebaseCloudFirestoreOAuth2Api",
        "googleFirebaseRealtimeDatabaseOAuth2Api",
        "googleOAuth2Api",
        "googlePerspectiveOAuth2Api",
        "googleSheetsOAuth2Api",
        "googleSheetsTriggerOAuth2Api",
        "googleSlidesOAuth2Api",
        "googleTasksOAuth2Api",
        "googleTranslateOAuth2Api",
        "gSuiteAdminOAuth2Api",
        "youTubeOAuth2Api",
    }
)


@dataclass(frozen=True)
class _Implied:
    """The credential a node type needs, chosen by one of its parameters."""

    default: str | None
    parameter: str = "authentication"
    choices: tuple[tuple[str, str], ...] = ()

    def credential_for(self, parameters: Mapping[str, Any]) -> str | None:
        choice = parameters.get(self.parameter)
        if choice is None:
            return self.default
        if not isinstance(choice, str) or choice.startswith("="):
            return None
        return dict(self.choices).get(choice)


def _google(oauth_type: str, *, service_account: bool = True) -> _Implied:
    choices = [("oAuth2", oauth_type)]
    if service_account:
        choices.append(("serviceAccount", "googleApi"))
    return _Implied(default=oauth_type, choices=tuple(choices))


def _only(credential_type: str) -> _Implied:
    """A node type with a single credential type and no choice of it."""
    return _Implied(default=credential_type, parameter="", choices=())


# Keyed by the node name without package; Trigger and Tool variants are listed
# where their credential differs, and otherwise share the app's entry.
_IMPLIED: dict[str, _Implied] = {
    "gmail": _google("gmailOAuth2"),
    "googleSheets": _google("googleSheetsOAuth2Api"),
    "googleSheetsTrigger": _google("googleSheetsTriggerOAuth2Api"),
    "googleDrive": _google("googleDriveOAuth2Api"),
    "googleCalendar": _google("googleCalendarOAuth2Api", service_account=False),
    "googleDocs": _google("googleDocsOAuth2Api"),
    "googleSlides": _google("googleSlidesOAuth2Api"),
    "googleTasks": _google("googleTasksOAuth2Api", service_account=False),
    "googleContacts": _google("googleContactsOAuth2Api", service_account=False),
    "googleChat": _google("googleChatOAuth2Api"),
    "googleBigQuery": _google("googleBigQueryOAuth2Api"),
    "googleTranslate": _google("googleTranslateOAuth2Api"),
    "googleAnalytics": _google("googleAnalyticsOAuth2", service_account=False),
    "youTube": _google("youTubeOAuth2Api", service_account=False),
    "slack": _Implied(
        default="slackApi",
        choices=(("accessToken", "slackApi"), ("oAuth2", "slackOAuth2Api")),
    ),
    "slackTrigger": _only("slackApi"),
    "telegram": _only("telegramApi"),
    "webhook": _Implied(
        default=None,
        choices=(
            ("basicAuth", "httpBasicAuth"),
            ("headerAuth", "httpHeaderAuth"),
            ("jwtAuth", "jwtAuth"),
        ),
    ),
    "openAi": _only("openAiApi"),
    "lmChatOpenAi": _only("openAiApi"),
    "lmOpenAi": _only("openAiApi"),
    "embeddingsOpenAi": _only("openAiApi"),
    "lmChatAnthropic": _only("anthropicApi"),
    "lmChatGoogleGemini": _only("googlePalmApi"),
    "embeddingsGoogleGemini": _only("googlePalmApi"),
    "lmChatMistralCloud": _only("mistralCloudApi"),
    "lmChatGroq": _only("groqApi"),
    "lmChatOpenRouter": _only("openRouterApi"),
    "lmChatDeepSeek": _only("deepSeekApi"),
    "lmChatOllama": _only("ollamaApi"),
    "memoryPostgresChat": _only("postgres"),
    "memoryRedisChat": _only("redis"),
    "vectorStorePinecone": _only("pineconeApi"),
    "vectorStoreSupabase": _only("supabaseApi"),
    "vectorStoreQdrant": _only("qdrantApi"),
    "toolSerpApi": _only("serpApi"),
    "notion": _Implied(
        default="notionApi",
        choices=(("apiKey", "notionApi"), ("oAuth2", "notionOAuth2Api")),
    ),
    "notionTrigger": _only("notionApi"),
    "airtable": _Implied(
        default="airtableTokenApi",
        choices=tuple(
            (t, t) for t in ("airtableApi", "airtableTokenApi", "airtableOAuth2Api")
        ),
    ),
    "github": _Implied(
        default="githubApi",
        choices=(("accessToken", "githubApi"), ("oAuth2", "githubOAuth2Api")),
    ),
    "microsoftOutlook": _only("microsoftOutlookOAuth2Api"),
    "whatsApp": _only("whatsAppApi"),
    "whatsAppTrigger": _only("whatsAppTriggerApi"),
    "supabase": _only("supabaseApi"),
    "postgres": _only("postgres"),
    "mySql": _only("mySql"),
    "redis": _only("redis"),
    "mongoDb": _only("mongoDb"),
    "emailSend": _only("smtp"),
    "emailReadImap": _only("imap"),
    "spotify": _only("spotifyOAuth2Api"),
    "twilio": _only("twilioApi"),
    "stripe": _only("stripeApi"),
    "trello": _only("trelloApi"),
    "todoist": _Implied(
        default="todoistApi",
        choices=(("apiKey", "todoistApi"), ("oAuth2", "todoistOAuth2Api")),
    ),
}

# HTTP Request v1 named its authentication methods, not credential types.
_HTTP_V1_AUTH = {
    "basicAuth": "httpBasicAuth",
    "digestAuth": "httpDigestAuth",
    "headerAuth": "httpHeaderAuth",
    "queryAuth": "httpQueryAuth",
    "oAuth1": "oAuth1Api",
    "oAuth2": "oAuth2Api",
}


@dataclass(frozen=True)
class CredentialRequirement:
    """One credential the workflow needs, as n8n groups them for set-up.

    ``template_name`` is the name the template gave the credential, empty
    when its nodes carried no reference. ``node_names`` lists the nodes that
    use it, in workflow order.
    """

    type: str
    template_name: str
    node_names: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        """Return ``(type, template_name)``, the key ``prepare`` binds by."""
        return (self.type, self.template_name)

    @property
    def is_google(self) -> bool:
        """Tell whether a linked Google account's tokens can fill it."""
        return self.type in GOOGLE_CREDENTIAL_TYPES


@dataclass(frozen=True)
class WorkflowFacts:
    """Derived facts about one workflow.

    ``triggers`` lists the kinds of the enabled trigger nodes, each once, in
    ``TriggerKind`` order; ``primary_trigger`` is the first of them, the one a
    catalog shows, or None when nothing starts the workflow. ``apps`` are
    human names, sorted. ``node_count`` leaves out sticky notes. ``node_types``
    are the distinct types of the nodes, sticky notes included, sorted.
    """

    apps: tuple[str, ...]
    triggers: tuple[TriggerKind, ...]
    primary_trigger: TriggerKind | None
    credentials: tuple[CredentialRequirement, ...]
    node_count: int
    node_types: tuple[str, ...]

    @property
    def credential_types(self) -> tuple[str, ...]:
        """Return the distinct credential types needed, sorted."""
        return tuple(sorted({c.type for c in self.credentials}))


def workflow_nodes(workflow: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Return the node objects of a workflow that have a string name and type."""
    nodes = workflow.get("nodes")
    if not isinstance(nodes, list):
        return []
    return [
        node
        for node in nodes
        if isinstance(node, Mapping)
        and isinstance(node.get("name"), str)
        and isinstance(node.get("type"), str)
    ]


def _parameters(node: Mapping[str, Any]) -> Mapping[str, Any]:
    parameters = node.get("parameters")
    return parameters if isinstance(parameters, Mapping) else {}


def _referenced(node: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return ``(type, template name)`` for each credential the node names."""
    credentials = node.get("credentials")
    if not isinstance(credentials, Mapping):
        return []
    found = []
    for credential_type, reference in credentials.items():
        if isinstance(reference, Mapping):
            template_name = reference.get("name")
        else:
            template_name = reference
        name = template_name.strip() if isinstance(template_name, str) else ""
        found.append((str(credential_type), name))
    return found


def implied_credential(node: Mapping[str, Any]) -> str | None:
    """Return the credential type a node needs when it names none, if known.

    Reads the node's ``authentication`` parameter (and, for HTTP Request, the
    credential type it selects). An expression in the parameter gives None.
    """
    package, name = split_type(str(node.get("type", "")))
    if package not in BUILT_IN_PACKAGES:
        return None
    parameters = _parameters(node)
    if name == "httpRequest":
        return _http_request_credential(parameters)
    implied = _IMPLIED.get(name)
    if implied is None:
        for suffix in ("Tool", "Trigger"):
            if name.endswith(suffix):
                implied = _IMPLIED.get(name[: -len(suffix)])
                break
    if implied is None:
        return None
    if not implied.parameter:
        return implied.default
    return implied.credential_for(parameters)


def _http_request_credential(parameters: Mapping[str, Any]) -> str | None:
    authentication = parameters.get("authentication")
    if authentication == "predefinedCredentialType":
        chosen = parameters.get("nodeCredentialType")
    elif authentication == "genericCredentialType":
        chosen = parameters.get("genericAuthType")
    else:
        chosen = (
            _HTTP_V1_AUTH.get(authentication)
            if isinstance(authentication, str)
            else None
        )
    if isinstance(chosen, str) and chosen and not chosen.startswith("="):
        return chosen
    return None


def required_credentials(
    workflow: Mapping[str, Any],
) -> tuple[CredentialRequirement, ...]:
    """Group the credentials the workflow's nodes need (see the module doc).

    Groups named by the template come first, in the order their first node
    appears, then the groups with an empty template name.
    """
    groups: dict[tuple[str, str], list[str]] = {}
    unnamed: list[tuple[str, str]] = []
    for node in workflow_nodes(workflow):
        references = _referenced(node)
        for credential_type, template_name in references:
            if template_name:
                key = (credential_type, template_name)
                groups.setdefault(key, []).append(node["name"])
            else:
                unnamed.append((credential_type, node["name"]))
        if not references:
            needed = implied_credential(node)
            if needed is not None:
                unnamed.append((needed, node["name"]))

    for credential_type, node_name in unnamed:
        named = [key for key in groups if key[0] == credential_type and key[1]]
        key = named[0] if len(named) == 1 else (credential_type, "")
        groups.setdefault(key, []).append(node_name)

    return tuple(
        CredentialRequirement(type=t, template_name=n, node_names=tuple(names))
        for (t, n), names in groups.items()
    )


def derive_facts(workflow: Mapping[str, Any]) -> WorkflowFacts:
    """Return the facts the catalog and the install dialog show for a workflow."""
    nodes = workflow_nodes(workflow)
    apps = set()
    kinds = set()
    for node in nodes:
        node_type = node["type"]
        app = app_name(node_type)
        if app is not None:
            apps.add(app)
        kind = trigger_kind(node_type)
        if kind is not None and node.get("disabled") is not True:
            kinds.add(kind)
    triggers = tuple(k for k in TRIGGER_PRECEDENCE if k in kinds)
    return WorkflowFacts(
        apps=tuple(sorted(apps, key=str.casefold)),
        triggers=triggers,
        primary_trigger=triggers[0] if triggers else None,
        credentials=required_credentials(workflow),
        node_count=sum(1 for n in nodes if not is_sticky_note(n["type"])),
        node_types=tuple(sorted({n["type"] for n in nodes})),
    )
