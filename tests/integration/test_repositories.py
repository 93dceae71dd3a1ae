"""Repositories on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from mantra_desktop.db.engine import Database
from mantra_desktop.models import InstallationState, MantraOrigin, TriggerKind
from mantra_desktop.repositories.errors import (
    AlreadyExists,
    InUse,
    InvalidChange,
    NotFound,
)
from mantra_desktop.repositories.google_auth import GoogleAuthRepository
from mantra_desktop.repositories.installations import InstallationRepository
from mantra_desktop.repositories.mantras import (
    MantraFields,
    MantraQuery,
    MantraRepository,
    SortKey,
)
from mantra_desktop.repositories.servers import ServerRepository
from mantra_desktop.repositories.users import UserRepository


def fields(
    name: str,
    *,
    description: str = "",
    apps: tuple[str, ...] = (),
    trigger: str = TriggerKind.SCHEDULE,
    credentials: tuple[str, ...] = (),
    nodes: int = 2,
) -> MantraFields:
    workflow = {"name": name, "nodes": [{"name": f"n{i}"} for i in range(nodes)]}
    digest = hashlib.sha256(json.dumps(workflow, sort_keys=True).encode()).hexdigest()
    return MantraFields(
        name=name,
        description=description,
        workflow_json=workflow,
        content_hash=digest,
        apps=list(apps),
        trigger_kind=trigger,
        credential_types=list(credentials),
        node_count=nodes,
    )


def test_users(database: Database, arun: Any) -> None:
    users = UserRepository(database)
    ada = arun(users.create(email="ada@example.test", name="Ada"))
    assert ada.created_at.tzinfo is UTC

    with pytest.raises(AlreadyExists, match=r"(?i)ada@example\.test exists"):
        arun(users.create(email="ADA@example.test", name="Other"))

    assert arun(users.get_by_email("Ada@Example.test")).id == ada.id
    assert arun(users.get(ada.id)).name == "Ada"
    arun(users.update(ada.id, name="Ada L."))
    assert arun(users.require(ada.id)).name == "Ada L."
    arun(users.create(email="bob@example.test", name="Bob"))
    assert [user.name for user in arun(users.list())] == ["Ada L.", "Bob"]
    with pytest.raises(NotFound):
        arun(users.require("no-such-id"))


def test_foreign_keys_are_enforced(database: Database, arun: Any) -> None:
    async def orphan() -> None:
        async with database.write() as session:
            await session.execute(
                text(
                    "INSERT INTO n8n_servers (id, user_id, name, base_url, "
                    "is_default, is_active, created_at, updated_at) VALUES "
                    "('s1', 'nobody', 'x', 'http://x', false, true, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )

    with pytest.raises(IntegrityError):
        arun(orphan())


def test_mantra_versions_and_deactivation(database: Database, arun: Any) -> None:
    mantras = MantraRepository(database)
    mantra = arun(
        mantras.create(
            fields("Daily digest", apps=("Gmail",)), origin=MantraOrigin.IMPORTED
        )
    )
    assert mantra.version == 1 and mantra.apps_label == "Gmail"

    renamed = arun(mantras.update(mantra.id, name="Morning digest"))
    assert renamed.version == 1, "a new name is not a new workflow"

    changed = arun(mantras.update(mantra.id, fields=fields("Digest", nodes=3)))
    assert changed.version == 2 and changed.node_count == 3
    assert arun(mantras.find_by_hash(changed.content_hash)).id == mantra.id

    arun(mantras.deactivate(mantra.id))
    assert arun(mantras.count()) == 0
    assert arun(mantras.count(MantraQuery(include_inactive=True))) == 1
    assert arun(mantras.require(mantra.id)).is_active is False


def test_search_with_words_facets_and_paging(database: Database, arun: Any) -> None:
    mantras = MantraRepository(database)
    users = UserRepository(database)
    servers = ServerRepository(database)
    installations = InstallationRepository(database)
    arun(
        mantras.create_many(
            [
                fields(
                    "Gmail to Sheets",
                    description="Copy every invoice email into a spreadsheet",
                    apps=("Gmail", "Google Sheets"),
                    trigger=TriggerKind.APP_EVENT,
                    credentials=("gmailOAuth2", "googleSheetsOAuth2Api"),
                ),
                fields(
                    "Calendar agenda",
                    description="Mail the day's meetings each morning",
                    apps=("Google Calendar", "Gmail"),
                    credentials=("googleCalendarOAuth2Api", "gmailOAuth2"),
                ),
                fields("Webhook echo", apps=(), trigger=TriggerKind.WEBHOOK),
                *[fields(f"Report {i:02}", apps=("Slack",)) for i in range(25)],
            ],
            origin=MantraOrigin.BUNDLED,
        )
    )

    def names(query: MantraQuery, **page: int) -> list[str]:
        return [row.name for row in arun(mantras.search(query, **page))]

    assert names(MantraQuery(words="invoice")) == ["Gmail to Sheets"]
    assert sorted(names(MantraQuery(words="gma"))) == [
        "Calendar agenda",
        "Gmail to Sheets",
    ]
    assert names(MantraQuery(words="gmail morning")) == ["Calendar agenda"]
    assert names(MantraQuery(words="'\"*) OR (")) == []
    assert names(MantraQuery(apps=frozenset({"Google Calendar"}))) == [
        "Calendar agenda"
    ]
    assert names(MantraQuery(trigger_kinds=frozenset({TriggerKind.WEBHOOK}))) == [
        "Webhook echo"
    ]
    assert names(
        MantraQuery(credential_types=frozenset({"gmailOAuth2"}), sort=SortKey.NAME)
    ) == ["Calendar agenda", "Gmail to Sheets"]

    slack = MantraQuery(apps=frozenset({"Slack"}), sort=SortKey.NAME)
    first = names(slack, offset=0, limit=10)
    second = names(slack, offset=10, limit=10)
    assert first[0] == "Report 00" and second[0] == "Report 10"
    assert not set(first) & set(second)
    assert arun(mantras.count(slack)) == 25
    assert names(
        slack.__class__(apps=slack.apps, descending=True, sort=SortKey.NAME), limit=1
    ) == ["Report 24"]

    counts = arun(mantras.facet_counts(MantraQuery(words="gmail")))
    assert dict(counts.apps) == {"Gmail": 2, "Google Sheets": 1, "Google Calendar": 1}
    assert dict(counts.trigger_kinds) == {"app_event": 1, "schedule": 1}

    # "installed" is per user
    ada = arun(users.create(email="ada@example.test", name="Ada"))
    server = arun(servers.create(user_id=ada.id, name="home", base_url="http://h"))
    target = arun(mantras.search(MantraQuery(words="webhook")))[0]
    pending = arun(
        installations.create_pending(
            user_id=ada.id, mantra_id=target.id, server_id=server.id, mantra_version=1
        )
    )
    arun(
        installations.mark_installed(
            pending.id, n8n_workflow_id="w1", workflow_hash="h"
        )
    )
    assert names(MantraQuery(installed=True, user_id=ada.id)) == ["Webhook echo"]
    assert "Webhook echo" not in names(
        MantraQuery(installed=False, user_id=ada.id), limit=100
    )


def test_installation_lifecycle(database: Database, arun: Any) -> None:
    users = UserRepository(database)
    servers = ServerRepository(database)
    mantras = MantraRepository(database)
    installations = InstallationRepository(database)
    ada = arun(users.create(email="ada@example.test", name="Ada"))
    bob = arun(users.create(email="bob@example.test", name="Bob"))
    home = arun(servers.create(user_id=ada.id, name="home", base_url="http://h/"))
    work = arun(servers.create(user_id=ada.id, name="work", base_url="http://w"))
    assert home.is_default and not work.is_default and home.base_url == "http://h"
    with pytest.raises(AlreadyExists, match="'home'"):
        arun(servers.create(user_id=ada.id, name="home", base_url="http://x"))
    arun(servers.set_default(work.id))
    assert [s.name for s in arun(servers.list_for_user(ada.id))] == ["work", "home"]

    mantra = arun(mantras.create(fields("Echo"), origin=MantraOrigin.CREATED))
    first = arun(
        installations.create_pending(
            user_id=ada.id,
            mantra_id=mantra.id,
            server_id=home.id,
            mantra_version=1,
            bindings={"gmailOAuth2|Gmail": {"id": "7"}},
        )
    )
    second = arun(
        installations.create_pending(
            user_id=ada.id, mantra_id=mantra.id, server_id=work.id, mantra_version=1
        )
    )
    theirs = arun(
        installations.create_pending(
            user_id=bob.id, mantra_id=mantra.id, server_id=home.id, mantra_version=1
        )
    )
    assert {i.id for i in arun(installations.list_pending())} == {
        first.id,
        second.id,
        theirs.id,
    }
    arun(installations.record_workflow(first.id, "wf-1"))
    done = arun(
        installations.mark_installed(
            first.id, n8n_workflow_id="wf-1", workflow_hash="abc"
        )
    )
    assert done.state == InstallationState.INSTALLED
    failed = arun(installations.mark_failed(second.id, "Bad request: no trigger"))
    assert failed.error == "Bad request: no trigger"
    with pytest.raises(InvalidChange):
        arun(installations.mark_failed(first.id, "too late"))

    mine = arun(installations.list_for_user(ada.id))
    assert {i.id for i in mine} == {first.id, second.id}
    assert mine[0].mantra.name == "Echo" and mine[0].server is not None
    assert [i.id for i in arun(installations.list_for_server(work.id))] == [second.id]
    assert len(arun(installations.list_for_mantra(mantra.id, user_id=bob.id))) == 1
    assert [i.id for i in arun(installations.list_pending(bob.id))] == [theirs.id]

    with pytest.raises(InUse, match="home still has installed mantras"):
        arun(servers.delete(home.id))
    arun(installations.mark_removed(first.id))
    arun(installations.mark_removed(theirs.id))
    assert arun(installations.list_for_server(home.id)) == []
    arun(servers.delete(home.id))
    with pytest.raises(NotFound):
        arun(servers.require(home.id))


def test_install_plan_is_recorded_only_while_pending(
    database: Database, arun: Any
) -> None:
    ada = arun(UserRepository(database).create(email="ada@example.test", name="Ada"))
    server = arun(
        ServerRepository(database).create(
            user_id=ada.id, name="home", base_url="http://h"
        )
    )
    mantra = arun(
        MantraRepository(database).create(fields("Echo"), origin=MantraOrigin.CREATED)
    )
    installations = InstallationRepository(database)

    def pending(**extra: Any) -> Any:
        return arun(
            installations.create_pending(
                user_id=ada.id,
                mantra_id=mantra.id,
                server_id=server.id,
                mantra_version=1,
                **extra,
            )
        )

    # The id and the plan can be chosen up front and committed with the row.
    early = pending(installation_id="install-early", workflow_hash="h-early")
    stored = arun(installations.require("install-early"))
    assert (early.id, stored.workflow_hash) == ("install-early", "h-early")
    assert stored.state == InstallationState.PENDING

    late = pending()
    assert arun(installations.require(late.id)).workflow_hash is None
    recorded = arun(installations.record_plan(late.id, "h-late"))
    assert recorded.workflow_hash == "h-late"
    assert arun(installations.require(late.id)).workflow_hash == "h-late"

    failed = arun(installations.mark_failed(late.id, "refused", n8n_workflow_id="w9"))
    assert (failed.state, failed.n8n_workflow_id) == (InstallationState.FAILED, "w9")
    with pytest.raises(InvalidChange):
        arun(installations.record_plan(late.id, "h-again"))
    assert arun(installations.require(late.id)).workflow_hash == "h-late"
    with pytest.raises(NotFound):
        arun(installations.record_plan("no-such-row", "h"))


def test_google_auth_upsert_by_subject(database: Database, arun: Any) -> None:
    users = UserRepository(database)
    accounts = GoogleAuthRepository(database)
    ada = arun(users.create(email="ada@example.test", name="Ada"))
    first, created = arun(
        accounts.upsert(
            user_id=ada.id,
            subject="1234",
            email="ada@gmail.test",
            name="Ada",
            credentials={"scopes": ["openid"]},
        )
    )
    again, created_again = arun(
        accounts.upsert(
            user_id=ada.id,
            subject="1234",
            email="ada@gmail.test",
            name="Ada Lovelace",
            credentials={"scopes": ["openid", "email"]},
        )
    )
    assert created and not created_again and again.id == first.id
    assert arun(accounts.get_by_subject(ada.id, "1234")).scopes == ["openid", "email"]
    assert [a.name for a in arun(accounts.list_for_user(ada.id))] == ["Ada Lovelace"]
    arun(accounts.update_credentials(first.id, {"scopes": []}, is_active=False))
    assert arun(accounts.get(first.id)).is_active is False
    arun(accounts.delete(first.id))
    assert arun(accounts.list_for_user(ada.id)) == []
    with pytest.raises(NotFound):
        arun(accounts.delete(first.id))


def test_broad_search_lists_newest_first_and_counts_without_hidden(
    database: Database, arun: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mantra_desktop.repositories.mantras as mantras_module

    monkeypatch.setattr(mantras_module, "RANKED_MATCHES", 3)
    mantras = MantraRepository(database)
    created = arun(
        mantras.create_many(
            [fields(f"Report {i}", apps=("Slack",)) for i in range(6)],
            origin=MantraOrigin.IMPORTED,
        )
    )
    arun(mantras.deactivate(created[5].id))
    query = MantraQuery(words="rep")
    assert arun(mantras.count(query)) == 5
    assert arun(mantras.count(MantraQuery(words="rep", include_inactive=True))) == 6
    names = [row.name for row in arun(mantras.search(query, limit=3))]
    if database.is_sqlite:
        assert names == ["Report 4", "Report 3", "Report 2"]
    else:
        assert len(names) == 3 and "Report 5" not in names
    rest = [row.name for row in arun(mantras.search(query, offset=3, limit=3))]
    assert sorted(names + rest) == [f"Report {i}" for i in range(5)]

    arun(mantras.rebuild_search_index())
    assert arun(mantras.count(query)) == 5


def test_facets_of_a_broad_search_are_the_catalogs(
    database: Database, arun: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mantra_desktop.repositories.mantras as mantras_module

    mantras = MantraRepository(database)
    arun(
        mantras.create_many(
            [
                *[fields(f"Alert {i}", apps=("Slack",)) for i in range(3)],
                fields("Mail alert", apps=("Gmail",), trigger=TriggerKind.WEBHOOK),
                fields("Ledger", apps=("Airtable",)),
            ],
            origin=MantraOrigin.IMPORTED,
        )
    )
    exact = arun(mantras.facet_counts(MantraQuery(words="alert")))
    assert exact.exact and dict(exact.apps) == {"Slack": 3, "Gmail": 1}

    monkeypatch.setattr(mantras_module, "FACET_EXACT_LIMIT", 2)
    broad = arun(mantras.facet_counts(MantraQuery(words="alert")))
    assert not broad.exact
    assert dict(broad.apps) == {"Slack": 3, "Gmail": 1, "Airtable": 1}
    assert dict(broad.trigger_kinds) == {"schedule": 4, "webhook": 1}
