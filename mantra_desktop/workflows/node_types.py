"""What a node's type string says about the node: its app, trigger kind and icon.

n8n names node types ``<package>.<name>``, for example ``n8n-nodes-base.gmail``,
``n8n-nodes-base.gmailTrigger`` or ``@n8n/n8n-nodes-langchain.lmChatOpenAi``. Every
function here reads only that string, so it works for types no table lists: an
unknown type gets a name made from its camel case words.
"""

from __future__ import annotations

import re
from enum import StrEnum

BASE_PACKAGE = "n8n-nodes-base"
LANGCHAIN_PACKAGE = "@n8n/n8n-nodes-langchain"
BUILT_IN_PACKAGES = frozenset({BASE_PACKAGE, LANGCHAIN_PACKAGE})

STICKY_NOTE_TYPE = f"{BASE_PACKAGE}.stickyNote"


class TriggerKind(StrEnum):
    """How a workflow starts, in order of precedence (the first is the primary)."""

    APP_EVENT = "app_event"
    WEBHOOK = "webhook"
    FORM = "form"
    CHAT = "chat"
    SCHEDULE = "schedule"
    SUB_WORKFLOW = "sub_workflow"
    ERROR = "error"
    MANUAL = "manual"


TRIGGER_PRECEDENCE: tuple[TriggerKind, ...] = tuple(TriggerKind)

# Triggers that n8n does not count when it decides whether a workflow can be
# activated: they run by hand, or when another workflow calls or fails.
NOT_ACTIVATING_TRIGGERS = frozenset(
    {TriggerKind.MANUAL, TriggerKind.SUB_WORKFLOW, TriggerKind.ERROR}
)

_TRIGGER_BY_NAME: dict[str, TriggerKind] = {
    "scheduleTrigger": TriggerKind.SCHEDULE,
    "cron": TriggerKind.SCHEDULE,
    "interval": TriggerKind.SCHEDULE,
    "webhook": TriggerKind.WEBHOOK,
    "mcpTrigger": TriggerKind.WEBHOOK,
    "formTrigger": TriggerKind.FORM,
    "chatTrigger": TriggerKind.CHAT,
    "manualChatTrigger": TriggerKind.MANUAL,
    "manualTrigger": TriggerKind.MANUAL,
    "start": TriggerKind.MANUAL,
    "evaluationTrigger": TriggerKind.MANUAL,
    "executeWorkflowTrigger": TriggerKind.SUB_WORKFLOW,
    "errorTrigger": TriggerKind.ERROR,
    "emailReadImap": TriggerKind.APP_EVENT,
}

# Nodes that move, shape or route items inside n8n; they are not apps a user
# connects to, so they are left out of a workflow's apps.
_CORE_BASE_NAMES = frozenset(
    {
        "aggregate", "aiTransform", "code", "compareDatasets", "compression",
        "convertToFile", "cron", "crypto", "dataTable", "dateTime", "debugHelper",
        "editImage", "errorTrigger", "evaluation", "evaluationTrigger",
        "executeCommand", "executeWorkflow", "executeWorkflowTrigger",
        "executionData", "extractFromFile", "filter", "form", "formTrigger",
        "function", "functionItem", "graphql", "html", "htmlExtract",
        "httpRequest", "if", "interval", "itemLists", "jwt", "limit",
        "localFileTrigger", "manualTrigger", "markdown", "merge", "moveBinaryData",
        "n8nTrainingCustomerDatastore", "n8nTrainingCustomerMessenger", "noOp",
        "readBinaryFile", "readBinaryFiles", "readWriteFile", "removeDuplicates",
        "renameKeys", "respondToWebhook", "scheduleTrigger", "set", "simulate",
        "simulateTrigger", "sort", "splitInBatches", "splitOut", "spreadsheetFile",
        "sseTrigger", "start", "stickyNote", "stopAndError", "summarize", "switch",
        "totp", "wait", "webhook", "workflowTrigger", "writeBinaryFile", "xml",
    }
)  # fmt: skip

# The AI building blocks of the LangChain package that are not a vendor.
_CORE_LANGCHAIN_NAMES = frozenset(
    {
        "agent", "agentTool", "chainLlm", "chainRetrievalQa", "chainSummarization",
        "chat", "chatTrigger", "code", "documentBinaryInputLoader",
        "documentDefaultDataLoader", "documentJsonInputLoader", "guardrails",
        "informationExtractor", "manualChatTrigger", "mcpClientTool", "mcpTrigger",
        "memoryBufferWindow", "memoryChatRetriever", "memoryManager",
        "modelSelector", "outputParserAutofixing", "outputParserItemList",
        "outputParserStructured", "rerankerCohere", "retrieverContextualCompression",
        "retrieverMultiQuery", "retrieverVectorStore", "retrieverWorkflow",
        "sentimentAnalysis", "textClassifier", "textSplitterCharacterTextSplitter",
        "textSplitterRecursiveCharacterTextSplitter", "textSplitterTokenSplitter",
        "toolCalculator", "toolCode", "toolExecutor", "toolHttpRequest", "toolThink",
        "toolVectorStore", "toolWorkflow", "vectorStoreInMemory",
        "vectorStoreInMemoryInsert", "vectorStoreInMemoryLoad",
    }
)  # fmt: skip

# LangChain node names are a role prefix followed by the vendor.
_LANGCHAIN_PREFIXES = (
    "lmChat",
    "lm",
    "embeddings",
    "vectorStore",
    "memory",
    "tool",
    "retriever",
    "reranker",
)

_APP_NAMES: dict[str, str] = {
    "activeCampaign": "ActiveCampaign",
    "airtable": "Airtable",
    "anthropic": "Anthropic",
    "awsBedrock": "AWS Bedrock",
    "awsLambda": "AWS Lambda",
    "awsS3": "AWS S3",
    "awsSes": "AWS SES",
    "awsTextract": "AWS Textract",
    "azureOpenAi": "Azure OpenAI",
    "clickUp": "ClickUp",
    "deepL": "DeepL",
    "deepSeek": "DeepSeek",
    "emailReadImap": "Email",
    "emailSend": "Email",
    "facebookGraphApi": "Facebook Graph API",
    "github": "GitHub",
    "gitlab": "GitLab",
    "gmail": "Gmail",
    "googleAnalytics": "Google Analytics",
    "googleBigQuery": "Google BigQuery",
    "googleCalendar": "Google Calendar",
    "googleChat": "Google Chat",
    "googleDocs": "Google Docs",
    "googleDrive": "Google Drive",
    "googleGemini": "Google Gemini",
    "googleSheets": "Google Sheets",
    "googleSlides": "Google Slides",
    "googleTasks": "Google Tasks",
    "googleVertex": "Google Vertex AI",
    "gSuiteAdmin": "Google Workspace Admin",
    "google": "Google (any API)",
    "hackerNews": "Hacker News",
    "hubspot": "HubSpot",
    "huggingFaceInference": "Hugging Face",
    "jira": "Jira",
    "linkedIn": "LinkedIn",
    "mailerLite": "MailerLite",
    "microsoftExcel": "Microsoft Excel",
    "microsoftOneDrive": "Microsoft OneDrive",
    "microsoftOutlook": "Microsoft Outlook",
    "microsoftSql": "Microsoft SQL",
    "microsoftTeams": "Microsoft Teams",
    "microsoftToDo": "Microsoft To Do",
    "mistralCloud": "Mistral AI",
    "mondayCom": "monday.com",
    "mongoDb": "MongoDB",
    "mySql": "MySQL",
    "n8n": "n8n",
    "nocoDb": "NocoDB",
    "openAi": "OpenAI",
    "openRouter": "OpenRouter",
    "openWeatherMap": "OpenWeatherMap",
    "pgVector": "PGVector",
    "phantombuster": "PhantomBuster",
    "postgres": "Postgres",
    "rocketchat": "Rocket.Chat",
    "rssFeedRead": "RSS",
    "sendGrid": "SendGrid",
    "serpApi": "SerpApi",
    "ssh": "SSH",
    "ftp": "FTP",
    "theHive": "TheHive",
    "twitter": "X (Twitter)",
    "uproc": "uProc",
    "whatsApp": "WhatsApp",
    "wolframAlpha": "Wolfram Alpha",
    "wooCommerce": "WooCommerce",
    "wordpress": "WordPress",
    "xAiGrok": "xAI Grok",
    "youTube": "YouTube",
}

# Names shown for the core nodes, where the type name alone reads poorly.
_CORE_LABELS: dict[str, str] = {
    "set": "Edit Fields",
    "if": "If",
    "noOp": "No Operation",
    "httpRequest": "HTTP Request",
    "scheduleTrigger": "Schedule Trigger",
    "cron": "Schedule Trigger",
    "splitInBatches": "Loop Over Items",
    "stopAndError": "Stop and Error",
    "executeWorkflowTrigger": "When Called by Another Workflow",
    "manualTrigger": "Manual Trigger",
    "respondToWebhook": "Respond to Webhook",
    "agent": "AI Agent",
    "chainLlm": "Basic LLM Chain",
    "lmChatOpenAi": "OpenAI Chat Model",
    "stickyNote": "Sticky Note",
}

# Icon keys for nodes whose base name differs from the icon they share.
_ICON_ALIASES: dict[str, str] = {
    "scheduleTrigger": "schedule",
    "cron": "schedule",
    "interval": "schedule",
    "function": "code",
    "functionItem": "code",
    "emailReadImap": "email",
    "emailSend": "email",
    "manualChatTrigger": "chat",
    "chatTrigger": "chat",
    "executeWorkflowTrigger": "executeWorkflow",
}

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_ACRONYMS = {
    "Api": "API",
    "Ai": "AI",
    "Aws": "AWS",
    "Llm": "LLM",
    "Sql": "SQL",
    "Url": "URL",
}


def split_type(node_type: str) -> tuple[str, str]:
    """Split ``package.name`` into its package and name; no dot gives no package."""
    package, dot, name = node_type.rpartition(".")
    if not dot:
        return "", node_type
    return package, name


def is_built_in(node_type: str) -> bool:
    """Tell whether the type ships with n8n (not a community package)."""
    return split_type(node_type)[0] in BUILT_IN_PACKAGES


def is_sticky_note(node_type: str) -> bool:
    """Tell whether the type is a sticky note, a comment on the canvas."""
    return node_type == STICKY_NOTE_TYPE


def _strip_role(name: str) -> str:
    """Remove the Trigger and Tool suffixes that mark a variant of an app node."""
    for suffix in ("HitlTool", "Tool", "Trigger"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _vendor_of_langchain(name: str) -> str:
    """Return the vendor part of a LangChain node name (``lmChatOpenAi`` -> openAi)."""
    for prefix in _LANGCHAIN_PREFIXES:
        rest = name[len(prefix) :]
        if name.startswith(prefix) and rest[:1].isupper():
            if prefix == "memory" and rest.endswith("Chat"):
                rest = rest[: -len("Chat")]
            return rest[0].lower() + rest[1:]
    return name


def humanise(name: str) -> str:
    """Turn a camel case name into words: ``googleSheets`` -> ``Google Sheets``."""
    words = _CAMEL_BOUNDARY.sub(" ", name).split()
    return " ".join(_ACRONYMS.get(w.capitalize(), w[:1].upper() + w[1:]) for w in words)


def app_key(node_type: str) -> str | None:
    """Return the app a node talks to as a short key, or None for core nodes.

    The key is the camel case app name without role suffixes or LangChain
    prefixes: ``gmailTrigger`` and ``gmailTool`` give ``gmail``; ``lmChatOpenAi``
    gives ``openAi``. Community nodes keep their own name.
    """
    package, name = split_type(node_type)
    if package == LANGCHAIN_PACKAGE:
        if name in _CORE_LANGCHAIN_NAMES:
            return None
        return _vendor_of_langchain(name) or None
    if package == BASE_PACKAGE and (
        name in _CORE_BASE_NAMES or _strip_role(name) in _CORE_BASE_NAMES
    ):
        return None
    stripped = _strip_role(name)
    return stripped or None


def app_name(node_type: str) -> str | None:
    """Return the human name of the app a node uses, or None for core nodes.

    ``n8n-nodes-base.gmail`` gives "Gmail", ``@n8n/n8n-nodes-langchain.openAi``
    gives "OpenAI"; set, if, code, merge, sticky notes and the like give None.
    """
    key = app_key(node_type)
    if key is None:
        return None
    return _APP_NAMES.get(key) or humanise(key)


def type_label(node_type: str) -> str:
    """Return a short human name for the node type itself, for display."""
    _package, name = split_type(node_type)
    if name in _CORE_LABELS:
        return _CORE_LABELS[name]
    app = app_name(node_type)
    base = app if app is not None else humanise(name)
    if name.endswith("Trigger") and not base.endswith("Trigger"):
        return f"{base} Trigger"
    if name.endswith("Tool") and not base.endswith("Tool"):
        return f"{base} Tool"
    return base


def icon_key(node_type: str) -> str:
    """Return a short key naming the icon to draw for the node type.

    Variants share their app's icon (``gmailTrigger`` -> ``gmail``); a caller
    without an icon for the key should fall back to a generic one.
    """
    _package, name = split_type(node_type)
    if name in _ICON_ALIASES:
        return _ICON_ALIASES[name]
    key = app_key(node_type)
    if key is not None:
        return key
    return _strip_role(name) or "node"


def trigger_kind(node_type: str) -> TriggerKind | None:
    """Return how a node of this type starts a workflow, or None if it does not.

    Any type whose name ends in ``Trigger`` and is not listed otherwise is an
    app event (a webhook or a poll registered with the app).
    """
    _package, name = split_type(node_type)
    if name in _TRIGGER_BY_NAME:
        return _TRIGGER_BY_NAME[name]
    if name.endswith("Trigger"):
        return TriggerKind.APP_EVENT
    return None


# How a credential type's name ends, and how the label says it.
_CREDENTIAL_KINDS = (
    ("OAuth2Api", " (OAuth2)"),
    ("OAuth2", " (OAuth2)"),
    ("OAuth1Api", " (OAuth1)"),
    ("Api", " API"),
)
# Names camel case cannot spell; the key is the type without its kind.
_CREDENTIAL_NAMES = {
    "oAuth2": "OAuth2 (generic)",
    "oAuth1": "OAuth1 (generic)",
    "openAi": "OpenAI",
    "gSuiteAdmin": "Google Workspace Admin",
    "google": "Google (any API)",
    "youTube": "YouTube",
    "gitHub": "GitHub",
    "gitLab": "GitLab",
    "hubspot": "HubSpot",
    "linkedIn": "LinkedIn",
    "httpHeaderAuth": "HTTP Header Auth",
    "httpBasicAuth": "HTTP Basic Auth",
    "httpQueryAuth": "HTTP Query Auth",
    "httpDigestAuth": "HTTP Digest Auth",
    "httpCustomAuth": "HTTP Custom Auth",
    "smtp": "SMTP",
    "imap": "IMAP",
    "sftp": "SFTP",
    "ftp": "FTP",
    "ssh": "SSH",
}


def credential_type_label(credential_type: str, *, with_kind: bool = True) -> str:
    """Return the label a person reads for an n8n credential type.

    ``slackApi`` -> ``Slack API``, ``gmailOAuth2`` -> ``Gmail (OAuth2)``,
    ``googleSheetsOAuth2Api`` -> ``Google Sheets (OAuth2)``; a type the table
    does not know is spelled out from its camel case. Without ``with_kind``
    the kind of credential is left out (``Gmail``, ``Slack``).
    """
    name = credential_type.strip()
    if name in _CREDENTIAL_NAMES:
        return _CREDENTIAL_NAMES[name]
    stem, kind = name, ""
    for ending, said in _CREDENTIAL_KINDS:
        if name.endswith(ending) and len(name) > len(ending):
            stem, kind = name[: -len(ending)], said if with_kind else ""
            break
    known = _CREDENTIAL_NAMES.get(stem)
    if known is not None:
        # "OAuth2 (generic)" already says its kind.
        return known if known.endswith(")") else known + kind
    return humanise(stem) + kind
