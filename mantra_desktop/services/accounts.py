"""Linked Google accounts: the user's OAuth client, linking, tokens, n8n credentials.

The OAuth client is the user's own Google "Desktop app" client. Its secret goes to
the keychain; its non-secret part (client id and endpoints) is kept per user in
``google-clients.json`` in the user config folder, so that people sharing one
PostgreSQL catalog each keep their own client.

Linking runs :class:`~mantra_desktop.google.loopback.LoopbackAuthorization` on the
event loop (:class:`LinkAttempt`). The account's tokens go to the keychain only; its
``google_auth`` row keeps the non-secret part of the grant and the n8n credentials
made from it, so that unlinking can name them and a later install on the same server
reuses the credential instead of creating another.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import webbrowser
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mantra_desktop import secrets
from mantra_desktop.google import client as oauth_client
from mantra_desktop.google import identity, loopback, scopes, tokens
from mantra_desktop.google.client import OAuthClientConfig
from mantra_desktop.google.tokens import TokenGrant
from mantra_desktop.models import GoogleAuth, N8nServer, User
from mantra_desktop.n8n import CredentialSummary, N8nClient
from mantra_desktop.n8n.client import normalise_base_url
from mantra_desktop.repositories.google_auth import GoogleAuthRepository
from mantra_desktop.repositories.servers import ServerRepository
from mantra_desktop.services.errors import ServiceError
from mantra_desktop.workflows import CredentialRequirement

logger = logging.getLogger(__name__)

CLIENTS_FILE = "google-clients.json"
GENERIC_OAUTH2_TYPE = "oAuth2Api"
"""n8n's provider-neutral OAuth2 credential; it talks to the client's own endpoints."""

_CREDENTIALS_KEY = "n8n_credentials"

# What a person calls the Google product a scope opens, by the scope's name after
# ``https://www.googleapis.com/auth/``; the first matching prefix wins.
_PRODUCT_PREFIXES = (
    ("gmail", "Gmail"),
    ("spreadsheets", "Sheets"),
    ("drive", "Drive"),
    ("calendar", "Calendar"),
    ("documents", "Docs"),
    ("presentations", "Slides"),
    ("tasks", "Tasks"),
    ("contacts", "Contacts"),
    ("bigquery", "BigQuery"),
    ("analytics", "Analytics"),
    ("youtube", "YouTube"),
    ("adwords", "Google Ads"),
    ("cloud-translation", "Translate"),
    ("cloud-language", "Natural Language"),
    ("cloud-platform", "Google Cloud"),
    ("devstorage", "Cloud Storage"),
    ("chat", "Chat"),
)

PRODUCT_CREDENTIAL_TYPES: Mapping[str, str] = {
    "Gmail": "gmailOAuth2",
    "Sheets": "googleSheetsOAuth2Api",
    "Drive": "googleDriveOAuth2Api",
    "Calendar": "googleCalendarOAuth2Api",
    "Docs": "googleDocsOAuth2Api",
    "Slides": "googleSlidesOAuth2Api",
    "Tasks": "googleTasksOAuth2Api",
    "Contacts": "googleContactsOAuth2Api",
}
"""The products offered under "Add access", with the n8n credential type whose
scopes they grant."""


class AccountState(enum.StrEnum):
    """Whether a linked account's tokens can be used."""

    VALID = "valid"
    EXPIRED = "expired"
    """The access token has expired; it is refreshed at the next use."""
    REVOKED = "revoked"
    """The provider no longer accepts the grant, or the tokens are gone: link again."""


class NoOAuthClient(ServiceError):
    """No OAuth client is configured for this user yet."""

    def __init__(self) -> None:
        super().__init__(
            "Import your Google OAuth client file first "
            "(Accounts > Google OAuth Client…)."
        )


class MissingAccess(ServiceError):
    """The account lacks scopes a credential needs; link it again to add them.

    ``account_id`` and ``missing`` say what to ask for.
    """

    def __init__(self, account: LinkedAccount, missing: Iterable[str]) -> None:
        self.account_id = account.id
        self.missing = frozenset(missing)
        products = ", ".join(access_labels(self.missing)) or "more access"
        super().__init__(
            f"{account.email} has not granted access to {products} yet: "
            "add access to this account, then try again."
        )


@dataclass(frozen=True)
class N8nCredentialRecord:
    """An n8n credential the app made from a linked account."""

    server_id: str
    server_name: str
    credential_type: str
    credential_id: str
    name: str

    def as_json(self) -> dict[str, str]:
        return {
            "server_id": self.server_id,
            "server_name": self.server_name,
            "credential_type": self.credential_type,
            "credential_id": self.credential_id,
            "name": self.name,
        }


@dataclass(frozen=True)
class LinkedAccount:
    """A linked Google account as the app shows it; no tokens."""

    id: str
    email: str
    name: str | None
    subject: str
    scopes: frozenset[str]
    expiry: datetime | None
    state: AccountState
    n8n_credentials: tuple[N8nCredentialRecord, ...] = ()

    @property
    def access(self) -> list[str]:
        """The products this account may access, by their everyday names."""
        return access_labels(self.scopes)


@dataclass(frozen=True)
class UnlinkReport:
    """What unlinking did: the account, and n8n credentials that stop working."""

    email: str
    revoked: bool
    n8n_credentials: tuple[N8nCredentialRecord, ...] = field(default=())


def access_labels(granted: Iterable[str]) -> list[str]:
    """Return the product names a set of scopes opens, sorted, without identity."""
    labels: set[str] = set()
    for scope in scopes.normalize(granted):
        if scope in scopes.IDENTITY_SCOPES:
            continue
        if scope == "https://mail.google.com/":
            labels.add("Gmail")
            continue
        name = scope.removeprefix("https://www.googleapis.com/auth/")
        label = next(
            (label for prefix, label in _PRODUCT_PREFIXES if name.startswith(prefix)),
            name,
        )
        labels.add(label)
    return sorted(labels)


class _Sealed:
    """Carries a secret out of a worker thread; its repr hides the value.

    Executors (qasync's among them) log the arguments and results of what they
    run at debug level: secrets cross threads only inside closures and this box.
    """

    __slots__ = ("value",)

    def __init__(self, value: str | None) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<sealed>"


async def keychain_load(name: str) -> str | None:
    """Read a keychain entry in a worker thread, never exposing it to logs."""

    def load() -> _Sealed:
        return _Sealed(secrets.load(name))

    return (await asyncio.to_thread(load)).value


async def keychain_store(name: str, value: str) -> None:
    """Write a keychain entry in a worker thread, never exposing it to logs."""

    def store() -> None:
        secrets.store(name, value)

    await asyncio.to_thread(store)


class OAuthClientStore:
    """The user's OAuth client: config in the user config folder, secret in keychain.

    Keychain calls block; the async methods run them in a worker thread.
    """

    def __init__(self, config_dir: Path, user_id: str) -> None:
        self._path = config_dir / CLIENTS_FILE
        self._user_id = user_id

    def config(self) -> OAuthClientConfig | None:
        """Return the configured client, or None when none was imported."""
        stored = self._read_all().get(self._user_id)
        if not isinstance(stored, dict):
            return None
        try:
            return OAuthClientConfig(**stored)
        except TypeError:
            logger.warning("Ignored an unreadable OAuth client entry in %s", self._path)
            return None

    async def secret(self, config: OAuthClientConfig) -> str:
        """Return the client's secret from the keychain.

        Raises:
            ServiceError: the secret is missing (import the client file again).
        """
        secret = await keychain_load(
            secrets.google_client_secret_name(config.client_id)
        )
        if not secret:
            raise ServiceError(
                "The OAuth client's secret is not in the keychain: import the "
                "client file again."
            )
        return secret

    async def import_file(self, text: str) -> OAuthClientConfig:
        """Check a client file, discover its endpoints, and keep it for the user.

        Raises:
            ServiceError: the file is not a Desktop app client file, or its
                provider's endpoints could not be read; nothing is stored.
        """
        try:
            config, secret = oauth_client.parse_client_file(text)
            config = await oauth_client.discover(config)
        except (oauth_client.ClientFileError, oauth_client.DiscoveryError) as error:
            raise ServiceError(str(error)) from None

        await keychain_store(
            secrets.google_client_secret_name(config.client_id), secret
        )
        every_client = self._read_all()
        every_client[self._user_id] = {
            "client_id": config.client_id,
            "auth_uri": config.auth_uri,
            "token_uri": config.token_uri,
            "issuer": config.issuer,
            "revoke_uri": config.revoke_uri,
            "userinfo_uri": config.userinfo_uri,
            "revocation_client_auth": config.revocation_client_auth,
        }
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._path.write_text(json.dumps(every_client, indent=2))
        logger.info("Imported OAuth client %s for %s", config.client_id, config.issuer)
        return config

    def _read_all(self) -> dict[str, Any]:
        try:
            stored = json.loads(self._path.read_text())
        except (OSError, ValueError):
            return {}
        return stored if isinstance(stored, dict) else {}


class LinkAttempt:
    """One sign-in in the browser; await :meth:`run`, call :meth:`cancel` to stop.

    :meth:`cancel` works before and during :meth:`run`; both run on the loop's
    thread. ``authorization_url`` is set once the browser has been asked to open
    it, for a person to copy when no browser opened.
    """

    def __init__(
        self,
        service: AccountService,
        wanted_scopes: frozenset[str],
        expected: LinkedAccount | None,
    ) -> None:
        self._service = service
        self.wanted_scopes = wanted_scopes
        self.expected = expected
        self._authorization: loopback.LoopbackAuthorization | None = None
        self._cancelled = False

    @property
    def authorization_url(self) -> str | None:
        if self._authorization is None:
            return None
        return self._authorization.authorization_url

    def cancel(self) -> None:
        """Stop waiting for the browser; :meth:`run` raises AuthorizationCancelled."""
        self._cancelled = True
        if self._authorization is not None:
            self._authorization.cancel()

    async def run(self) -> LinkedAccount:
        """Sign in, read who signed in, and store the account.

        Raises:
            NoOAuthClient: no client was imported.
            ServiceError: a refusal, a timeout, a cancellation or a failed exchange
                (nothing is stored), or another account than the one expected.
        """
        config = self._service.clients.config()
        if config is None:
            raise NoOAuthClient()
        secret = await self._service.clients.secret(config)
        self._authorization = loopback.LoopbackAuthorization(
            config,
            secret,
            self.wanted_scopes,
            opener=self._service.opener,
            timeout=self._service.link_timeout,
            login_hint=self.expected.email if self.expected else None,
        )
        if self._cancelled:
            self._authorization.cancel()
        try:
            grant = await self._authorization.authorize()
            who = identity.identity_from_id_token(grant.id_token, config)
        except (loopback.AuthorizationError, identity.IdentityError) as error:
            raise ServiceError(str(error)) from None
        if self.expected is not None and who.subject != self.expected.subject:
            await self._service.revoke_quietly(grant, config, secret)
            raise ServiceError(
                f"You signed in as {who.email}, not {self.expected.email}: nothing "
                "was changed. Sign in with the account you want to add access to."
            )
        return await self._service.store_link(who, grant, config)


class AccountService:
    """Link, refresh, unlink Google accounts and make n8n credentials from them.

    ``opener`` opens the sign-in page (``webbrowser.open`` unless a test gives a
    headless browser); it runs in a worker thread. ``link_timeout`` is how long a
    sign-in may take, in seconds.
    """

    def __init__(
        self,
        repository: GoogleAuthRepository,
        user: User,
        config_dir: Path,
        *,
        opener: loopback.Opener = webbrowser.open,
        link_timeout: float = loopback.DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self._repository = repository
        self._user = user
        self.user_id = user.id
        self.clients = OAuthClientStore(config_dir, user.id)
        self.opener = opener
        self.link_timeout = link_timeout

    # -- the OAuth client -------------------------------------------------

    def client_config(self) -> OAuthClientConfig | None:
        """Return the user's OAuth client, or None when none was imported."""
        return self.clients.config()

    async def import_client_file(self, text: str) -> OAuthClientConfig:
        """See :meth:`OAuthClientStore.import_file`."""
        return await self.clients.import_file(text)

    # -- linking ----------------------------------------------------------

    def new_link(
        self,
        needed_scopes: Iterable[str] = (),
        *,
        account: LinkedAccount | None = None,
    ) -> LinkAttempt:
        """Prepare a sign-in asking for the identity scopes and ``needed_scopes``.

        With ``account`` the sign-in adds access to that account: what it already
        granted is asked for again (providers without incremental consent would
        otherwise drop it) and signing in as someone else is refused.
        """
        wanted = scopes.IDENTITY_SCOPES | scopes.normalize(needed_scopes)
        if account is not None:
            wanted |= account.scopes
        return LinkAttempt(self, frozenset(wanted), account)

    async def store_link(
        self,
        who: identity.AccountIdentity,
        grant: TokenGrant,
        config: OAuthClientConfig,
    ) -> LinkedAccount:
        """Store a fresh grant: tokens in the keychain, the rest in the row.

        Linking an account again updates its row and keeps the n8n credentials
        recorded on it; a grant without a refresh token keeps the previous one.
        """
        existing = await self._repository.get_by_subject(self._user.id, who.subject)
        recorded: list[Any] = []
        if existing is not None:
            recorded = list(existing.credentials.get(_CREDENTIALS_KEY, []))
            previous = await self._load_grant(existing.id)
            if previous is not None and not grant.refresh_token:
                grant = replace(grant, refresh_token=previous.refresh_token)

        auth, created = await self._repository.upsert(
            user_id=self._user.id,
            subject=who.subject,
            email=who.email,
            name=who.name,
            credentials=_row_credentials(grant, config, recorded),
        )
        try:
            await keychain_store(
                secrets.google_tokens_name(auth.id), tokens.grant_to_json(grant)
            )
        except secrets.KeychainError:
            if created:
                await self._repository.delete(auth.id)
            raise
        logger.info(
            "%s Google account %s", "Linked" if created else "Updated", who.email
        )
        return _linked_account(auth, grant)

    # -- reading ----------------------------------------------------------

    async def list_accounts(self) -> list[LinkedAccount]:
        """Return the user's linked accounts with their state, sorted by email."""
        rows = await self._repository.list_for_user(self._user.id)
        grants = await asyncio.gather(*(self._load_grant(row.id) for row in rows))
        return [
            _linked_account(row, grant) for row, grant in zip(rows, grants, strict=True)
        ]

    async def account(self, account_id: str) -> LinkedAccount:
        """Return one linked account of this user.

        Raises:
            ServiceError: no such account for this user.
        """
        row = await self._require_row(account_id)
        return _linked_account(row, await self._load_grant(row.id))

    # -- tokens -----------------------------------------------------------

    async def fresh_grant(self, account_id: str) -> TokenGrant:
        """Return the account's tokens, refreshed first when expired.

        A refreshed grant is stored. A grant the provider no longer accepts marks
        the account revoked.

        Raises:
            ServiceError: no tokens, or the refresh failed (the message says
                whether to link again).
        """
        return await self._refreshed(account_id, force=False)

    async def refresh(self, account_id: str) -> LinkedAccount:
        """Ask the provider for a new access token now, and store it.

        Raises:
            ServiceError: as :meth:`fresh_grant`.
        """
        await self._refreshed(account_id, force=True)
        return await self.account(account_id)

    async def unlink(self, account_id: str, *, force: bool = False) -> UnlinkReport:
        """Revoke the account's access at the provider and forget it here.

        The tokens and the row are removed. n8n credentials made from the account
        stop working; the report lists them. With ``force`` the account is removed
        even when the provider could not be told.

        Raises:
            ServiceError: the provider could not revoke and ``force`` is False;
                nothing was removed.
        """
        row = await self._require_row(account_id)
        grant = await self._load_grant(row.id)
        revoked = False
        if grant is not None:
            config = self._require_client()
            secret = await self.clients.secret(config)
            try:
                await tokens.revoke(grant, _row_config(row, config), secret)
                revoked = True
            except tokens.TokenRevokeFailed as error:
                if not force:
                    raise ServiceError(
                        f"{error}. The account is still linked; try again, or "
                        "unlink it without telling the provider."
                    ) from None
                logger.warning("Unlinking %s without revoking: %s", row.email, error)

        await asyncio.to_thread(secrets.forget, secrets.google_tokens_name(row.id))
        await self._repository.delete(row.id)
        records = _records(row)
        logger.info(
            "Unlinked Google account %s (%d n8n credentials made from it)",
            row.email,
            len(records),
        )
        return UnlinkReport(email=row.email, revoked=revoked, n8n_credentials=records)

    async def revoke_quietly(
        self, grant: TokenGrant, config: OAuthClientConfig, secret: str
    ) -> None:
        """Revoke a grant the app will not keep; a failure is only logged."""
        try:
            await tokens.revoke(grant, config, secret)
        except tokens.TokenRevokeFailed as error:
            logger.warning("Could not revoke an unwanted grant: %s", error)

    # -- n8n credentials --------------------------------------------------

    @staticmethod
    def can_fill(credential_type: str) -> bool:
        """Tell whether a linked account can become a credential of this type.

        True for n8n's Google OAuth2 types whose scopes are known and for the
        generic ``oAuth2Api`` type (pointed at the OAuth client's endpoints).
        """
        return credential_type == GENERIC_OAUTH2_TYPE or (
            scopes.is_google_credential_type(credential_type)
        )

    def needed_scopes(self, credential_type: str) -> frozenset[str]:
        """Return the scopes an n8n credential of ``credential_type`` needs."""
        if credential_type == GENERIC_OAUTH2_TYPE:
            return frozenset()
        try:
            return frozenset(scopes.scopes_for([credential_type]))
        except scopes.UnknownCredentialType as error:
            raise ServiceError(str(error)) from None

    def missing_access(
        self, account: LinkedAccount, credential_type: str
    ) -> frozenset[str]:
        """Return the scopes ``account`` must still grant for ``credential_type``.

        Empty when the account can fill it now; otherwise pass them to
        :meth:`new_link` with the account. ``access_labels`` names them.
        """
        needed = self.needed_scopes(credential_type)
        return frozenset(scopes.missing_scopes(account.scopes, needed))

    async def credential_for_install(
        self,
        n8n: N8nClient,
        server_id: str,
        server_name: str,
        account_id: str,
        credential_type: str,
    ) -> dict[str, str]:
        """Return the n8n credential of ``credential_type`` made from the account.

        One made earlier on the same server is reused; otherwise one is created
        from the account's (refreshed) tokens and the user's client and recorded
        on the account. Returns ``{"id", "name"}`` as a node's credential reference.

        Raises:
            MissingAccess: the account lacks scopes the type needs: offer to add
                access (:meth:`new_link` with ``account``) and try again.
            ServiceError, N8nError: the tokens or the server failed.
        """
        row = await self._require_row(account_id)
        for record in _records(row):
            if (
                record.server_id == server_id
                and record.credential_type == credential_type
            ):
                logger.debug("Reusing n8n credential %s", record.credential_id)
                return {"id": record.credential_id, "name": record.name}

        account = _linked_account(row, await self._load_grant(row.id))
        missing = scopes.missing_scopes(
            account.scopes, self.needed_scopes(credential_type)
        )
        if missing:
            raise MissingAccess(account, missing)
        grant = await self.fresh_grant(account_id)
        config = _row_config(row, self._require_client())
        secret = await self.clients.secret(config)

        name = f"{row.email} ({_type_label(credential_type)})"
        data = _credential_data(credential_type, grant, config, secret)
        created = await n8n.create_credential(name, credential_type, data)
        record = N8nCredentialRecord(
            server_id=server_id,
            server_name=server_name,
            credential_type=credential_type,
            credential_id=created.id,
            name=created.name,
        )
        await self._record(row.id, record)
        logger.info(
            "Created n8n credential %s (%s) from %s on %s",
            record.credential_id,
            credential_type,
            row.email,
            server_name,
        )
        return {"id": record.credential_id, "name": record.name}

    async def forget_credential(self, account_id: str, credential_id: str) -> None:
        """Stop remembering an n8n credential (it was deleted on the server)."""
        row = await self._require_row(account_id)
        kept = [
            record.as_json()
            for record in _records(row)
            if record.credential_id != credential_id
        ]
        await self._repository.update_credentials(
            row.id, {**row.credentials, _CREDENTIALS_KEY: kept}, is_active=row.is_active
        )

    # -- plumbing ---------------------------------------------------------

    def _require_client(self) -> OAuthClientConfig:
        config = self.clients.config()
        if config is None:
            raise NoOAuthClient()
        return config

    async def _require_row(self, account_id: str) -> GoogleAuth:
        row = await self._repository.get(account_id)
        if row is None or row.user_id != self._user.id:
            raise ServiceError("That Google account is not linked any more.")
        return row

    async def _load_grant(self, account_id: str) -> TokenGrant | None:
        stored = await keychain_load(secrets.google_tokens_name(account_id))
        if stored is None:
            return None
        try:
            return tokens.grant_from_json(stored)
        except tokens.StoredTokensInvalid:
            logger.warning("The stored tokens of account %s are damaged", account_id)
            return None

    async def _refreshed(self, account_id: str, *, force: bool) -> TokenGrant:
        row = await self._require_row(account_id)
        grant = await self._load_grant(row.id)
        if grant is None:
            raise ServiceError(
                f"The tokens of {row.email} are missing from the keychain: "
                "link the account again."
            )
        config = _row_config(row, self._require_client())
        secret = await self.clients.secret(config)
        try:
            if force:
                fresh = await tokens.refresh(grant, config, secret)
            else:
                fresh = await tokens.ensure_fresh(grant, config, secret)
        except tokens.TokenRefreshFailed as error:
            if error.relink_needed:
                await self._repository.update_credentials(
                    row.id, row.credentials, is_active=False
                )
                logger.warning("The grant of %s is no longer valid", row.email)
            raise ServiceError(f"{row.email}: {error}") from None
        if fresh is grant:
            return grant

        await keychain_store(
            secrets.google_tokens_name(row.id), tokens.grant_to_json(fresh)
        )
        await self._repository.update_credentials(
            row.id,
            _row_credentials(fresh, config, row.credentials.get(_CREDENTIALS_KEY)),
        )
        return fresh

    async def _record(self, account_id: str, record: N8nCredentialRecord) -> None:
        row = await self._require_row(account_id)
        recorded = [item.as_json() for item in _records(row)] + [record.as_json()]
        await self._repository.update_credentials(
            row.id,
            {**row.credentials, _CREDENTIALS_KEY: recorded},
            is_active=row.is_active,
        )


def _row_credentials(
    grant: TokenGrant, config: OAuthClientConfig, recorded: Sequence[Any] | None
) -> dict[str, Any]:
    """The non-secret part of a grant, as kept in the account's row."""
    return {
        "scopes": sorted(grant.scopes),
        "expiry": grant.expiry.isoformat() if grant.expiry else None,
        "token_uri": config.token_uri,
        "revoke_uri": config.revoke_uri,
        "client_id": config.client_id,
        "issuer": config.issuer,
        _CREDENTIALS_KEY: list(recorded or []),
    }


def _row_config(row: GoogleAuth, config: OAuthClientConfig) -> OAuthClientConfig:
    """The client as it was when the account was linked (its endpoints)."""
    stored = row.credentials
    if stored.get("client_id") not in (None, config.client_id):
        raise ServiceError(
            f"{row.email} was linked with another OAuth client "
            f"({stored.get('client_id')}): link it again with the current one."
        )
    return replace(
        config,
        token_uri=stored.get("token_uri") or config.token_uri,
        revoke_uri=stored.get("revoke_uri") or config.revoke_uri,
    )


def _records(row: GoogleAuth) -> tuple[N8nCredentialRecord, ...]:
    recorded = row.credentials.get(_CREDENTIALS_KEY) or []
    found = []
    for item in recorded:
        try:
            found.append(N8nCredentialRecord(**item))
        except TypeError:
            logger.warning("Ignored an unreadable n8n credential record")
    return tuple(found)


def _linked_account(row: GoogleAuth, grant: TokenGrant | None) -> LinkedAccount:
    expiry_text = row.credentials.get("expiry")
    expiry = datetime.fromisoformat(expiry_text) if expiry_text else None
    if grant is None or not row.is_active:
        state = AccountState.REVOKED
    elif grant.is_expired():
        state = AccountState.EXPIRED
    else:
        state = AccountState.VALID
    return LinkedAccount(
        id=row.id,
        email=row.email,
        name=row.name,
        subject=row.subject,
        scopes=frozenset(row.scopes),
        expiry=expiry.astimezone(UTC) if expiry else None,
        state=state,
        n8n_credentials=_records(row),
    )


def _type_label(credential_type: str) -> str:
    for label, known in PRODUCT_CREDENTIAL_TYPES.items():
        if known == credential_type:
            return label
    if credential_type == GENERIC_OAUTH2_TYPE:
        return "OAuth2"
    return credential_type


def _credential_data(
    credential_type: str,
    grant: TokenGrant,
    config: OAuthClientConfig,
    secret: str,
) -> dict[str, Any]:
    """The data of an n8n OAuth2 credential holding the account's tokens.

    n8n keeps ``oauthTokenData`` and refreshes the access token itself with the
    refresh token, at the token endpoint its credential type names: Google's for
    the Google types, the client's own for the generic type.
    """
    data: dict[str, Any] = {
        "clientId": config.client_id,
        "clientSecret": secret,
        "oauthTokenData": tokens.n8n_token_data(grant),
    }
    if credential_type == scopes.GENERIC_CREDENTIAL_TYPE:
        data["scope"] = scopes.scope_string(grant.scopes - scopes.IDENTITY_SCOPES)
    if credential_type == GENERIC_OAUTH2_TYPE:
        data |= {
            "grantType": "authorizationCode",
            "authUrl": config.auth_uri,
            "accessTokenUrl": config.token_uri,
            "scope": scopes.scope_string(grant.scopes),
            "authQueryParameters": "",
            "authentication": "body",
        }
    return data


class InstallCredentials:
    """Fills the install service's ``google_account`` bindings from linked accounts.

    The credential belongs to the account, not to one installation: later installs
    on the same server reuse it, uninstalling leaves it, unlinking lists it.
    ``servers`` finds the user's server by the client's address.
    """

    def __init__(self, accounts: AccountService, servers: ServerRepository) -> None:
        self._accounts = accounts
        self._servers = servers

    async def create_credential(
        self,
        client: N8nClient,
        requirement: CredentialRequirement,
        google_account_id: str,
    ) -> CredentialSummary:
        """Return the n8n credential the requirement is bound to, made if needed.

        Raises:
            MissingAccess: the account must grant more access first.
        """
        server = await self._server_for(client)
        reference = await self._accounts.credential_for_install(
            client, server.id, server.name, google_account_id, requirement.type
        )
        return CredentialSummary(
            id=reference["id"], name=reference["name"], type=requirement.type
        )

    async def _server_for(self, client: N8nClient) -> N8nServer:
        address = normalise_base_url(client.base_url)
        for server in await self._servers.list_for_user(self._accounts.user_id):
            if normalise_base_url(server.base_url) == address:
                return server
        raise ServiceError(f"{client.base_url} is not one of your n8n servers.")
