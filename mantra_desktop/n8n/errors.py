"""Errors raised by the n8n client, each a sentence a user can read as it is.

Every error keeps the HTTP status (when there was an answer) and the server's own
``message`` so callers can show both. No error ever contains the API key: messages are
built from the server's base URL, the action being attempted and the server's answer.
"""

from __future__ import annotations


class N8nError(Exception):
    """Base class of every failure talking to an n8n server.

    ``str(error)`` is the user-facing sentence; ``status`` is the HTTP status or None
    when no answer came; ``server_message`` is n8n's own ``message`` when it sent one.
    """

    def __init__(
        self,
        message: str,
        status: int | None = None,
        server_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.server_message = server_message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, "
            f"server_message={self.server_message!r})"
        )


class N8nAuthError(N8nError):
    """The server refused the API key (401) or refused it this action (403)."""


class N8nUnreachable(N8nError):
    """No connection could be made: wrong address, DNS failure or n8n not running."""


class N8nTimeout(N8nError):
    """The server accepted the connection but did not answer in time."""


class N8nNotFound(N8nError):
    """The workflow, credential, tag or type asked for does not exist (404)."""


class N8nConflict(N8nError):
    """The request clashes with the server's current state (409)."""


class N8nBadRequest(N8nError):
    """The server rejected the request as invalid (400); its message says why."""


class N8nServerError(N8nError):
    """The server failed while handling the request (5xx)."""


class N8nRateLimited(N8nError):
    """The server kept answering 429 Too Many Requests after every retry."""


class N8nUnsupported(N8nError):
    """The server does not offer this operation (405), usually because it is older."""


def with_server_message(sentence: str, server_message: str | None) -> str:
    """Return ``sentence`` followed by what the server said, when it said anything."""
    if not server_message:
        return sentence
    said = server_message.strip()
    if said[-1:] not in {".", "!", "?"}:
        said += "."
    return f"{sentence} The server said: {said}"


def error_for_status(
    status: int, server_message: str | None, base_url: str, action: str
) -> N8nError:
    """Build the error for an HTTP error ``status`` answered while doing ``action``.

    ``action`` is a short phrase in the infinitive without "to", such as
    "activate workflow 12", and is inserted into the sentence.
    """
    if status == 401:
        sentence = (
            f"The API key was refused by the server at {base_url}. Check that it is "
            "correct and has not expired."
        )
        return N8nAuthError(
            with_server_message(sentence, server_message), status, server_message
        )
    if status == 403:
        sentence = f"The API key is not allowed to {action} on {base_url}."
        return N8nAuthError(
            with_server_message(sentence, server_message), status, server_message
        )

    cls: type[N8nError]
    if status == 400:
        cls, sentence = N8nBadRequest, f"n8n at {base_url} refused to {action}."
    elif status == 404:
        cls = N8nNotFound
        sentence = f"Could not {action}: n8n at {base_url} has no such item."
    elif status == 405:
        cls = N8nUnsupported
        sentence = f"n8n at {base_url} cannot {action}; a newer n8n version can."
    elif status == 409:
        cls = N8nConflict
        sentence = (
            f"Could not {action}: it conflicts with the current state of n8n at "
            f"{base_url}."
        )
    elif status == 429:
        cls = N8nRateLimited
        sentence = (
            f"n8n at {base_url} received too many requests and refused to {action}. "
            "Try again in a moment."
        )
    elif status >= 500:
        cls = N8nServerError
        sentence = f"n8n at {base_url} failed to {action} (HTTP {status})."
    else:
        cls = N8nError
        sentence = f"n8n at {base_url} could not {action} (HTTP {status})."
    return cls(with_server_message(sentence, server_message), status, server_message)
