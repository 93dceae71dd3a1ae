"""The mantra catalog: storage, versions, full-text search with facets.

Search uses the full-text objects created by the migrations: an FTS5 table
on SQLite and a GIN expression index on PostgreSQL (the expression below must
stay the one in the migration, or PostgreSQL will not use the index).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    column,
    delete,
    exists,
    func,
    literal_column,
    select,
    table,
    text,
)

from mantra_desktop.db.engine import Database
from mantra_desktop.models import (
    FacetKind,
    InstallationState,
    Mantra,
    MantraFacet,
    MantraInstallation,
)
from mantra_desktop.repositories.errors import NotFound

SEARCH_TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_SEARCH_TOKENS = 8
DESCRIPTION_PREVIEW_CHARS = 240
POSTGRES_SEARCH_VECTOR = (
    "to_tsvector('simple'::regconfig, "
    "mantras.name || ' ' || mantras.description || ' ' || mantras.apps_label)"
)

# Above this many matches, facets show whole-catalog numbers (counting facets
# of a large match set takes about a second per 20,000 mantras).
FACET_EXACT_LIMIT = 5000

# Above this many full-text matches, "best match" lists newest first instead
# of ranking every match (ranking costs a few microseconds per match).
RANKED_MATCHES = 2000

_fts = table("mantra_search", column("rowid"), column("rank"))
_MANTRA_ROWID: ColumnElement[int] = literal_column("mantras.rowid")


class SortKey(enum.StrEnum):
    RELEVANCE = "relevance"
    NAME = "name"
    UPDATED = "updated"
    APPS = "apps"


@dataclass(frozen=True)
class MantraFields:
    """Everything stored for a mantra's content, facts already derived."""

    name: str
    description: str
    workflow_json: dict[str, Any]
    content_hash: str
    apps: list[str]
    trigger_kind: str
    credential_types: list[str]
    node_count: int


@dataclass(frozen=True)
class MantraQuery:
    """What the catalog shows: words to match and facets to filter on.

    ``installed`` filters on the installations of ``user_id``: True for the
    mantras that user has installed, False for the others, None for all.
    """

    words: str = ""
    apps: frozenset[str] = frozenset()
    trigger_kinds: frozenset[str] = frozenset()
    credential_types: frozenset[str] = frozenset()
    installed: bool | None = None
    user_id: str | None = None
    include_inactive: bool = False
    sort: SortKey = SortKey.RELEVANCE
    descending: bool = False

    @property
    def tokens(self) -> list[str]:
        return SEARCH_TOKEN.findall(self.words.lower())[:MAX_SEARCH_TOKENS]


@dataclass(frozen=True)
class MantraSummary:
    """A catalog row: what a list shows, without the workflow itself."""

    id: str
    name: str
    description: str
    version: int
    origin: str
    apps: list[str]
    apps_label: str
    trigger_kind: str
    credential_types: list[str]
    node_count: int
    is_active: bool
    updated_at: datetime


@dataclass(frozen=True)
class FacetCounts:
    """Facet values with how many mantras use each.

    ``exact`` is False when the search matched too many mantras to count
    them quickly: the values and numbers are then those of the whole catalog.
    """

    apps: list[tuple[str, int]] = field(default_factory=list)
    credential_types: list[tuple[str, int]] = field(default_factory=list)
    trigger_kinds: list[tuple[str, int]] = field(default_factory=list)
    exact: bool = True


_SUMMARY_COLUMNS = (
    Mantra.id,
    Mantra.name,
    func.substr(Mantra.description, 1, DESCRIPTION_PREVIEW_CHARS),
    Mantra.version,
    Mantra.origin,
    Mantra.apps,
    Mantra.apps_label,
    Mantra.trigger_kind,
    Mantra.credential_types,
    Mantra.node_count,
    Mantra.is_active,
    Mantra.updated_at,
)


def _facets_for(mantra_id: str, fields: MantraFields) -> list[MantraFacet]:
    facets = {(FacetKind.APP.value, app) for app in fields.apps}
    facets |= {(FacetKind.CREDENTIAL.value, kind) for kind in fields.credential_types}
    return [
        MantraFacet(mantra_id=mantra_id, kind=kind, value=value[:200])
        for kind, value in sorted(facets)
    ]


def _apply(mantra: Mantra, fields: MantraFields) -> None:
    mantra.name = fields.name
    mantra.description = fields.description
    mantra.workflow_json = fields.workflow_json
    mantra.content_hash = fields.content_hash
    mantra.apps = list(fields.apps)
    mantra.apps_label = ", ".join(sorted(fields.apps, key=str.lower))
    mantra.trigger_kind = fields.trigger_kind
    mantra.credential_types = list(fields.credential_types)
    mantra.node_count = fields.node_count


def _words_only(query: MantraQuery) -> bool:
    """Whether words are the query's only filter besides hiding hidden mantras."""
    return (
        bool(query.tokens)
        and not query.include_inactive
        and not (query.apps or query.credential_types or query.trigger_kinds)
        and (query.installed is None or query.user_id is None)
    )


class MantraRepository:
    def __init__(self, database: Database) -> None:
        self._database = database

    # -- reading ----------------------------------------------------------

    async def get(self, mantra_id: str) -> Mantra | None:
        async with self._database.read() as session:
            return await session.get(Mantra, mantra_id)

    async def require(self, mantra_id: str) -> Mantra:
        mantra = await self.get(mantra_id)
        if mantra is None:
            raise NotFound("That mantra is not in the catalog.")
        return mantra

    async def find_by_hash(self, content_hash: str) -> Mantra | None:
        async with self._database.read() as session:
            query = select(Mantra).where(Mantra.content_hash == content_hash)
            return (await session.scalars(query.limit(1))).first()

    async def existing_hashes(self, hashes: Iterable[str]) -> set[str]:
        wanted = list(set(hashes))
        found: set[str] = set()
        async with self._database.read() as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                query = select(Mantra.content_hash).where(
                    Mantra.content_hash.in_(chunk)
                )
                found.update((await session.scalars(query)).all())
        return found

    async def search(
        self, query: MantraQuery, *, offset: int = 0, limit: int = 100
    ) -> list[MantraSummary]:
        """One page of catalog rows matching ``query``, in its order.

        On SQLite, "best match" ranks the matches when there are at most
        :data:`RANKED_MATCHES` of them; a broader search (the first letter or
        two typed) lists its matches newest first, which costs the same at
        any catalog size, until more words narrow it down.
        """
        params = self._params(query)
        async with self._database.read() as session:
            if (
                self._database.is_sqlite
                and query.tokens
                and query.sort is SortKey.RELEVANCE
            ):
                hits = await self._sqlite_hits(session, params)
                return await self._sqlite_ranked_page(
                    session, query, hits, offset, limit
                )
            statement = self._filtered(select(*_SUMMARY_COLUMNS), query)
            statement = statement.order_by(*self._order(query))
            statement = statement.offset(offset).limit(limit)
            rows = (await session.execute(statement, params)).all()
        return [MantraSummary(*row) for row in rows]

    async def count(self, query: MantraQuery | None = None) -> int:
        query = query or MantraQuery()
        params = self._params(query)
        async with self._database.read() as session:
            if self._database.is_sqlite and _words_only(query):
                hits, hidden = await self._sqlite_hits_and_hidden(session, params)
                return hits - hidden
            statement = self._filtered(select(func.count()).select_from(Mantra), query)
            return int((await session.execute(statement, params)).scalar_one())

    async def search_page(
        self, query: MantraQuery, *, limit: int = 100
    ) -> tuple[list[MantraSummary], int]:
        """The first page of ``query`` and how many mantras match in all.

        This is what the catalog asks on every keystroke; with words alone on
        SQLite it takes two statements whatever the size of the catalog.
        """
        if self._database.is_sqlite and _words_only(query):
            params = self._params(query)
            async with self._database.read() as session:
                hits, hidden = await self._sqlite_hits_and_hidden(session, params)
                rows = await self._sqlite_ranked_page(session, query, hits, 0, limit)
            return rows, hits - hidden
        rows = await self.search(query, limit=limit)
        total = len(rows) if len(rows) < limit else await self.count(query)
        return rows, total

    async def _sqlite_hits_and_hidden(
        self, session: Any, params: dict[str, Any]
    ) -> tuple[int, int]:
        """Full-text matches, and how many of them are hidden mantras.

        The index counts its matches in a few milliseconds; hidden mantras are
        few and found through their own index, then checked against the match.
        """
        hidden = (
            select(func.count())
            .where(
                Mantra.is_active.is_(False),
                exists()
                .select_from(_fts)
                .where(
                    text("mantra_search MATCH :fts_query"),
                    _fts.c.rowid == _MANTRA_ROWID,
                ),
            )
            .scalar_subquery()
        )
        statement = select(self._sqlite_hits_statement().scalar_subquery(), hidden)
        row = (await session.execute(statement, params)).one()
        return int(row[0]), int(row[1])

    def _sqlite_hits_statement(self) -> Select[Any]:
        return (
            select(func.count())
            .select_from(_fts)
            .where(text("mantra_search MATCH :fts_query"))
        )

    async def _sqlite_hits(self, session: Any, params: dict[str, Any]) -> int:
        result = await session.execute(self._sqlite_hits_statement(), params)
        return int(result.scalar_one())

    async def _sqlite_ranked_page(
        self, session: Any, query: MantraQuery, hits: int, offset: int, limit: int
    ) -> list[MantraSummary]:
        if hits > RANKED_MATCHES:
            # the full-text index's own order: no sort of all the matches
            order: list[Any] = [
                _fts.c.rowid.asc() if query.descending else _fts.c.rowid.desc()
            ]
        else:
            rank = _fts.c.rank
            order = [rank.desc() if query.descending else rank.asc(), Mantra.id]
        statement = (
            self._filtered(
                select(*_SUMMARY_COLUMNS)
                .select_from(_fts)
                .join(Mantra, _fts.c.rowid == _MANTRA_ROWID)
                .where(text("mantra_search MATCH :fts_query")),
                query,
                by_words=False,
            )
            .order_by(*order)
            .offset(offset)
            .limit(limit)
        )
        rows = (await session.execute(statement, self._params(query))).all()
        return [MantraSummary(*row) for row in rows]

    async def rebuild_search_index(self) -> None:
        """Refill the SQLite search table from the mantras (after a VACUUM)."""
        if not self._database.is_sqlite:
            return
        async with self._database.write() as session:
            await session.execute(text("DELETE FROM mantra_search"))
            await session.execute(
                text(
                    "INSERT INTO mantra_search (rowid, name, description, apps) "
                    "SELECT rowid, name, description, apps_label FROM mantras"
                )
            )

    async def facet_counts(self, query: MantraQuery, *, limit: int = 40) -> FacetCounts:
        """How many matching mantras use each app, credential type and trigger.

        Exact up to :data:`FACET_EXACT_LIMIT` matches; above that the whole
        catalog's numbers, read from the facet index in milliseconds.
        """
        if await self.count(query) > FACET_EXACT_LIMIT:
            return await self._catalog_facet_counts(limit)
        params = self._params(query)
        counts: dict[str, list[tuple[str, int]]] = {}
        async with self._database.read() as session:
            for kind in FacetKind:
                # driven from the matching mantras, then their facet rows
                number = func.count().label("number")
                statement = (
                    self._matching(
                        select(MantraFacet.value, number),
                        query,
                        facet_kind=kind,
                    )
                    .group_by(MantraFacet.value)
                    .order_by(number.desc(), MantraFacet.value)
                    .limit(limit)
                )
                rows = (await session.execute(statement, params)).all()
                counts[kind.value] = [(value, int(n)) for value, n in rows]
            number = func.count().label("number")
            statement = (
                self._matching(select(Mantra.trigger_kind, number), query)
                .group_by(Mantra.trigger_kind)
                .order_by(number.desc())
            )
            triggers = (await session.execute(statement, params)).all()
        return FacetCounts(
            apps=counts[FacetKind.APP.value],
            credential_types=counts[FacetKind.CREDENTIAL.value],
            trigger_kinds=[(kind, int(n)) for kind, n in triggers],
        )

    async def _catalog_facet_counts(self, limit: int) -> FacetCounts:
        counts: dict[str, list[tuple[str, int]]] = {}
        async with self._database.read() as session:
            for kind in FacetKind:
                number = func.count().label("number")
                statement = (
                    select(MantraFacet.value, number)
                    .where(MantraFacet.kind == kind.value)
                    .group_by(MantraFacet.value)
                    .order_by(number.desc(), MantraFacet.value)
                    .limit(limit)
                )
                rows = (await session.execute(statement)).all()
                counts[kind.value] = [(value, int(n)) for value, n in rows]
            number = func.count().label("number")
            statement = (
                select(Mantra.trigger_kind, number)
                .group_by(Mantra.trigger_kind)
                .order_by(number.desc())
            )
            triggers = (await session.execute(statement)).all()
        return FacetCounts(
            apps=counts[FacetKind.APP.value],
            credential_types=counts[FacetKind.CREDENTIAL.value],
            trigger_kinds=[(kind, int(n)) for kind, n in triggers],
            exact=False,
        )

    # -- writing ----------------------------------------------------------

    async def create(
        self,
        fields: MantraFields,
        *,
        origin: str,
        source: str | None = None,
        user_id: str | None = None,
    ) -> Mantra:
        return (
            await self.create_many(
                [fields], origin=origin, source=source, user_id=user_id
            )
        )[0]

    async def create_many(
        self,
        items: Sequence[MantraFields],
        *,
        origin: str,
        source: str | None = None,
        user_id: str | None = None,
        sources: Sequence[str | None] | None = None,
    ) -> list[Mantra]:
        """Add several mantras in one transaction (all or none)."""
        created: list[Mantra] = []
        async with self._database.write() as session:
            for index, fields in enumerate(items):
                mantra = Mantra(
                    origin=origin,
                    source=sources[index] if sources else source,
                    user_id=user_id,
                    version=1,
                )
                _apply(mantra, fields)
                session.add(mantra)
                created.append(mantra)
            await session.flush()
            for mantra, fields in zip(created, items, strict=True):
                session.add_all(_facets_for(mantra.id, fields))
        return created

    async def update(
        self,
        mantra_id: str,
        *,
        fields: MantraFields | None = None,
        name: str | None = None,
        description: str | None = None,
    ) -> Mantra:
        """Change a mantra; a change of its workflow bumps the version."""
        async with self._database.write() as session:
            mantra = await session.get(Mantra, mantra_id)
            if mantra is None:
                raise NotFound("That mantra is not in the catalog.")
            if fields is not None:
                workflow_changed = fields.content_hash != mantra.content_hash
                _apply(mantra, fields)
                if workflow_changed:
                    mantra.version += 1
                await session.execute(
                    delete(MantraFacet).where(MantraFacet.mantra_id == mantra_id)
                )
                session.add_all(_facets_for(mantra_id, fields))
            if name is not None:
                mantra.name = name.strip()
            if description is not None:
                mantra.description = description
        return mantra

    async def set_active(self, mantra_id: str, active: bool) -> Mantra:
        """Hide (deactivate) or show a mantra; its installations are kept."""
        async with self._database.write() as session:
            mantra = await session.get(Mantra, mantra_id)
            if mantra is None:
                raise NotFound("That mantra is not in the catalog.")
            mantra.is_active = active
        return mantra

    async def deactivate(self, mantra_id: str) -> Mantra:
        return await self.set_active(mantra_id, False)

    # -- query building ---------------------------------------------------

    def _match_clause(self, query: MantraQuery) -> ColumnElement[bool] | None:
        if not query.tokens:
            return None
        if self._database.is_sqlite:
            return _MANTRA_ROWID.in_(
                select(_fts.c.rowid).where(text("mantra_search MATCH :fts_query"))
            )
        return literal_column(POSTGRES_SEARCH_VECTOR).op("@@")(
            func.to_tsquery(literal_column("'simple'::regconfig"), text(":fts_query"))
        )

    def _params(self, query: MantraQuery) -> dict[str, Any]:
        tokens = query.tokens
        if not tokens:
            return {}
        if self._database.is_sqlite:
            return {"fts_query": " ".join(f'"{token}"*' for token in tokens)}
        return {"fts_query": " & ".join(f"{token}:*" for token in tokens)}

    def _matching(
        self,
        statement: Select[Any, Any],
        query: MantraQuery,
        *,
        facet_kind: FacetKind | None = None,
    ) -> Select[Any, Any]:
        """``statement`` over the mantras matching ``query`` (and their facets).

        On SQLite with words the full-text matches drive the query, so the
        work follows the number of matches rather than the catalog's size.
        """
        driven_by_words = self._database.is_sqlite and bool(query.tokens)
        source: Any = (
            _fts.join(Mantra, _fts.c.rowid == _MANTRA_ROWID)
            if driven_by_words
            else Mantra.__table__
        )
        if facet_kind is not None:
            of_kind: ColumnElement[bool] = MantraFacet.kind == facet_kind.value
            if driven_by_words:
                # SQLite's likely() keeps the planner from starting at the
                # facet index (every mantra) instead of at the matches.
                of_kind = func.likely(of_kind)
            source = source.join(
                MantraFacet, and_(MantraFacet.mantra_id == Mantra.id, of_kind)
            )
        statement = statement.select_from(source)
        if driven_by_words:
            statement = statement.where(text("mantra_search MATCH :fts_query"))
        return self._filtered(statement, query, by_words=not driven_by_words)

    def _filtered(
        self, statement: Select[Any], query: MantraQuery, *, by_words: bool = True
    ) -> Select[Any]:
        conditions: list[ColumnElement[bool]] = []
        if not query.include_inactive:
            conditions.append(Mantra.is_active.is_(True))
        match = self._match_clause(query) if by_words else None
        if match is not None:
            conditions.append(match)
        if query.trigger_kinds:
            conditions.append(Mantra.trigger_kind.in_(sorted(query.trigger_kinds)))
        for kind, values in (
            (FacetKind.APP, query.apps),
            (FacetKind.CREDENTIAL, query.credential_types),
        ):
            for value in sorted(values):
                conditions.append(
                    exists().where(
                        MantraFacet.mantra_id == Mantra.id,
                        MantraFacet.kind == kind.value,
                        MantraFacet.value == value,
                    )
                )
        if query.installed is not None and query.user_id is not None:
            installed = exists().where(
                MantraInstallation.mantra_id == Mantra.id,
                MantraInstallation.user_id == query.user_id,
                MantraInstallation.state == InstallationState.INSTALLED,
            )
            conditions.append(installed if query.installed else ~installed)
        return statement.where(and_(*conditions)) if conditions else statement

    def _order(self, query: MantraQuery) -> list[Any]:
        sort = query.sort
        if sort is SortKey.RELEVANCE and not query.tokens:
            sort = SortKey.NAME
        if sort is SortKey.RELEVANCE:
            # SQLite ranks in search(); this is PostgreSQL's own ranking.
            score = func.ts_rank(
                literal_column(POSTGRES_SEARCH_VECTOR),
                func.to_tsquery(
                    literal_column("'simple'::regconfig"), text(":fts_query")
                ),
            )
            primary: Any = score.asc() if query.descending else score.desc()
            return [primary, Mantra.name, Mantra.id]
        column_for = {
            SortKey.NAME: Mantra.name,
            SortKey.UPDATED: Mantra.updated_at,
            SortKey.APPS: Mantra.apps_label,
        }
        chosen = column_for[sort]
        primary = chosen.desc() if query.descending else chosen.asc()
        return [primary, Mantra.id]
