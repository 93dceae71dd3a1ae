"""Link an account: the OAuth authorization code flow through the system browser.

:class:`LoopbackAuthorization` follows RFC 8252 for native apps. It listens on
127.0.0.1 (only) on a free port, opens the browser at the provider's authorization
page with a PKCE S256 challenge and a random state, accepts exactly one callback that
carries the right state, answers the browser with a short page, closes the listener
and exchanges the code for tokens. A wrong state, a refusal, :meth:`cancel` and a
timeout each end the flow with their own :class:`AuthorizationError`; the listener
is closed and no tokens are returned.

It runs on the asyncio loop without blocking it (the listener is an asyncio server;
opening the browser and the code exchange run in worker threads), so it works on the
UI's qasync loop. google-auth-oauthlib builds the authorization URL (with the code
verifier) and performs the code exchange.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import webbrowser
from collections.abc import Callable, Iterable
from urllib.parse import parse_qs, urlsplit

import requests
from google_auth_oauthlib.flow import Flow
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from mantra_desktop.google.client import OAuthClientConfig, is_loopback_url
from mantra_desktop.google.scopes import normalize
from mantra_desktop.google.tokens import TokenGrant, grant_from_token_response

logger = logging.getLogger(__name__)

# requests-oauthlib and oauthlib log request bodies and token responses (client
# secret, codes, tokens) at debug level: keep them quiet whatever the app's level.
logging.getLogger("requests_oauthlib").setLevel(logging.INFO)
logging.getLogger("oauthlib").setLevel(logging.INFO)

LISTEN_HOST = "127.0.0.1"
DEFAULT_TIMEOUT_SECONDS = 300.0
_REQUEST_READ_TIMEOUT_SECONDS = 10.0
_MAX_HEADER_LINES = 100

Opener = Callable[[str], bool]
"""Opens a URL in a browser and says whether it could; ``webbrowser.open`` is one."""


class AuthorizationError(Exception):
    """The authorization did not complete; the message is for the user."""


class AuthorizationDenied(AuthorizationError):
    """The user declined to grant access in the browser."""


class AuthorizationRejected(AuthorizationError):
    """The provider answered the callback with an error other than a refusal."""


class StateMismatch(AuthorizationError):
    """A callback carried another state: it does not belong to this authorization."""


class AuthorizationCancelled(AuthorizationError):
    """The app cancelled the authorization before the browser came back."""


class AuthorizationTimedOut(AuthorizationError):
    """The browser did not come back in time."""


class TokenExchangeFailed(AuthorizationError):
    """The token endpoint refused the authorization code, or could not be reached."""


class LoopbackAuthorization:
    """One run of the authorization code flow with a loopback redirect.

    Create one per attempt, await :meth:`authorize`, and call :meth:`cancel` (from the
    loop's thread) to abandon it. ``opener`` opens the authorization URL; it runs in a
    worker thread. When it returns False the flow still waits: show
    :attr:`authorization_url` so that the user can open it by hand.
    """

    def __init__(
        self,
        config: OAuthClientConfig,
        client_secret: str,
        scopes: Iterable[str],
        *,
        opener: Opener = webbrowser.open,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        login_hint: str | None = None,
    ) -> None:
        self._config = config
        self._client_secret = client_secret
        self._scopes = sorted(normalize(scopes))
        self._opener = opener
        self._timeout = timeout
        self._login_hint = login_hint
        self._started = False
        self._cancelled = False
        self._state: str | None = None
        self._callback: asyncio.Future[str] | None = None
        self.authorization_url: str | None = None
        self.redirect_uri: str | None = None

    async def authorize(self) -> TokenGrant:
        """Run the flow and return the tokens the provider granted.

        Raises:
            AuthorizationDenied, AuthorizationRejected, StateMismatch,
            AuthorizationCancelled, AuthorizationTimedOut, TokenExchangeFailed: each
                with a message for the user. The listener is closed in every case.
            RuntimeError: called a second time.
        """
        if self._started:
            raise RuntimeError("An authorization runs only once; create a new one")
        self._started = True
        self._callback = asyncio.get_running_loop().create_future()
        if self._cancelled:
            raise AuthorizationCancelled("Linking the account was cancelled")

        listener = await asyncio.start_server(
            self._on_connection, host=LISTEN_HOST, port=0
        )
        try:
            port = listener.sockets[0].getsockname()[1]
            self.redirect_uri = f"http://{LISTEN_HOST}:{port}/"
            flow = self._new_flow(self.redirect_uri)
            extra: dict[str, str] = {}
            if self._login_hint:
                extra["login_hint"] = self._login_hint
            url, self._state = flow.authorization_url(
                access_type="offline",
                prompt="consent",
                include_granted_scopes="true",
                **extra,
            )
            self.authorization_url = url
            logger.info(
                "Waiting for the browser on %s to authorize OAuth client %s",
                self.redirect_uri,
                self._config.client_id,
            )

            if not await asyncio.to_thread(self._opener, url):
                logger.warning("No browser could be opened for the authorization")
            code = await asyncio.wait_for(
                asyncio.shield(self._callback), timeout=self._timeout
            )
        except TimeoutError:
            self._callback.cancel()
            raise AuthorizationTimedOut(
                "The browser did not come back in time: nothing was linked. "
                "Try again and finish the sign-in in the browser."
            ) from None
        finally:
            listener.close()
            await listener.wait_closed()
            logger.debug("Closed the loopback listener")

        # The worker gets a closure and returns a TokenGrant, whose repr hides the
        # tokens: executors (qasync's among them) log arguments and results.
        def redeem() -> TokenGrant:
            return self._redeem(flow, code)

        grant = await asyncio.to_thread(redeem)
        logger.info(
            "Authorized OAuth client %s with %d scopes",
            self._config.client_id,
            len(grant.scopes),
        )
        return grant

    def cancel(self) -> None:
        """Abandon the authorization; :meth:`authorize` raises AuthorizationCancelled.

        Call it from the event loop's thread. Cancelling a finished authorization
        does nothing.
        """
        self._cancelled = True
        if self._callback is not None and not self._callback.done():
            logger.info("Cancelled linking an account")
            self._callback.set_exception(
                AuthorizationCancelled("Linking the account was cancelled")
            )

    def _new_flow(self, redirect_uri: str) -> Flow:
        if self._config.token_uri.startswith("http:") and is_loopback_url(
            self._config.token_uri
        ):
            # oauthlib refuses plain http unless told; the client file check only
            # lets http through for a provider on this machine.
            os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
        # With include_granted_scopes the answer lists earlier grants too; oauthlib
        # must take the provider's list instead of raising "Scope has changed".
        os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"
        client_file = {
            "installed": {
                "client_id": self._config.client_id,
                "client_secret": self._client_secret,
                "auth_uri": self._config.auth_uri,
                "token_uri": self._config.token_uri,
                "redirect_uris": [redirect_uri],
            }
        }
        return Flow.from_client_config(
            client_file,
            scopes=self._scopes,
            redirect_uri=redirect_uri,
            autogenerate_code_verifier=True,
        )

    def _redeem(self, flow: Flow, code: str) -> TokenGrant:
        """Exchange the code at the token endpoint; blocking, run in a thread."""
        try:
            response = flow.fetch_token(code=code, include_client_id=True)
            return grant_from_token_response(response, self._scopes)
        except OAuth2Error as error:
            detail = f": {error.description}" if error.description else ""
            raise TokenExchangeFailed(
                f"The provider refused the authorization code ({error.error}){detail}. "
                "Nothing was linked; try again."
            ) from None
        except requests.RequestException as error:
            raise TokenExchangeFailed(
                "Could not reach the provider to finish linking the account "
                f"({type(error).__name__})"
            ) from None

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            target = await asyncio.wait_for(
                _read_request_target(reader), _REQUEST_READ_TIMEOUT_SECONDS
            )
        except (TimeoutError, ValueError, ConnectionError):
            writer.close()
            return

        try:
            if target is None or urlsplit(target).path != "/":
                await _respond(writer, 404, "Not found", "This page does not exist.")
                return
            if self._callback is None or self._callback.done():
                await _respond(
                    writer,
                    409,
                    "Already answered",
                    "This sign-in has already been answered.",
                )
                return

            outcome = self._judge_callback(parse_qs(urlsplit(target).query))
            if isinstance(outcome, AuthorizationError):
                await _respond(writer, 400, "Not linked", str(outcome))
                self._callback.set_exception(outcome)
            else:
                await _respond(
                    writer,
                    200,
                    "Signed in",
                    "You can close this tab and return to Mantra Desktop.",
                )
                self._callback.set_result(outcome)
        except ConnectionError:
            logger.debug("The browser closed the connection before the answer")

    def _judge_callback(self, query: dict[str, list[str]]) -> str | AuthorizationError:
        """Return the code of a valid callback, or the error that ends the flow."""

        def first(name: str) -> str | None:
            values = query.get(name)
            return values[0] if values else None

        if first("state") != self._state:
            logger.warning("Refused a callback with a wrong state")
            return StateMismatch(
                "The browser returned an answer that does not belong to this "
                "sign-in (wrong state). Nothing was linked; try again."
            )
        issuer = first("iss")
        if issuer is not None and issuer != self._config.issuer:
            logger.warning("Refused a callback from another issuer %s", issuer)
            return AuthorizationRejected(
                f"The answer came from {issuer}, not from {self._config.issuer}. "
                "Nothing was linked."
            )
        error = first("error")
        if error == "access_denied":
            logger.info("The user declined to grant access")
            return AuthorizationDenied(
                "Access was not granted in the browser. Nothing was linked."
            )
        if error is not None:
            description = first("error_description")
            logger.warning("The provider answered the callback with %s", error)
            return AuthorizationRejected(
                f"The provider refused the sign-in ({error})"
                + (f": {description}" if description else "")
                + ". Nothing was linked."
            )
        code = first("code")
        if not code:
            return AuthorizationRejected(
                "The provider's answer carried no authorization code. "
                "Nothing was linked."
            )
        return code


async def _read_request_target(reader: asyncio.StreamReader) -> str | None:
    """Read an HTTP request head; return the target of a GET, None for other methods."""
    request_line = (await reader.readline()).decode("latin-1").strip()
    for _ in range(_MAX_HEADER_LINES):
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
    parts = request_line.split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise ValueError("not an HTTP request")
    method, target, _version = parts
    return target if method == "GET" else None


async def _respond(
    writer: asyncio.StreamWriter, status: int, title: str, message: str
) -> None:
    body = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>Mantra Desktop: {html.escape(title)}</title></head>"
        "<body style='font-family: sans-serif; margin: 3em'>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p></body></html>"
    ).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 409: "Conflict"}
    head = (
        f"HTTP/1.1 {status} {reason[status]}\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Cache-Control: no-store\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    try:
        writer.write(head + body)
        await writer.drain()
    finally:
        writer.close()
