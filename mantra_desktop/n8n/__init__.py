"""Client for n8n's public API: workflows, tags, executions and credentials.

``N8nClient`` is the entry point; every failure is an ``N8nError`` subclass whose text
can be shown to the user as it is. ``Capabilities`` says what differs between n8n 1.x
and 2.x. This package has no Qt and no database access.
"""

from mantra_desktop.n8n.api_types import (
    CredentialSummary,
    Execution,
    ServerInfo,
    Tag,
    Workflow,
)
from mantra_desktop.n8n.capabilities import Capabilities
from mantra_desktop.n8n.client import MAX_PAGE_SIZE, N8nClient
from mantra_desktop.n8n.errors import (
    N8nAuthError,
    N8nBadRequest,
    N8nConflict,
    N8nError,
    N8nNotFound,
    N8nRateLimited,
    N8nServerError,
    N8nTimeout,
    N8nUnreachable,
    N8nUnsupported,
)

__all__ = [
    "MAX_PAGE_SIZE",
    "Capabilities",
    "CredentialSummary",
    "Execution",
    "N8nAuthError",
    "N8nBadRequest",
    "N8nClient",
    "N8nConflict",
    "N8nError",
    "N8nNotFound",
    "N8nRateLimited",
    "N8nServerError",
    "N8nTimeout",
    "N8nUnreachable",
    "N8nUnsupported",
    "ServerInfo",
    "Tag",
    "Workflow",
]
