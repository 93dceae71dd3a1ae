"""Add full-text search over mantra names, descriptions and apps.

SQLite gets an FTS5 table kept in step by triggers; PostgreSQL gets a GIN
index over the same text, which its own text search uses. Neither is part of
the ORM metadata: this migration is their only definition.

On SQLite each search row shares its rowid with its mantra, so a search joins
on an integer key, and prefix indexes for one to three characters make
search-as-you-type fast from the first letter. The app never runs VACUUM,
which could renumber the rowids of a table without an INTEGER PRIMARY KEY;
should anyone run it, ``MantraRepository.rebuild_search_index()`` puts the
search table back in step.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UPGRADE = [
    """
    CREATE VIRTUAL TABLE mantra_search USING fts5(
        name, description, apps,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3'
    )
    """,
    """
    CREATE TRIGGER mantra_search_after_insert AFTER INSERT ON mantras BEGIN
        INSERT INTO mantra_search (rowid, name, description, apps)
        VALUES (new.rowid, new.name, new.description, new.apps_label);
    END
    """,
    """
    CREATE TRIGGER mantra_search_after_update
    AFTER UPDATE OF name, description, apps_label ON mantras BEGIN
        DELETE FROM mantra_search WHERE rowid = old.rowid;
        INSERT INTO mantra_search (rowid, name, description, apps)
        VALUES (new.rowid, new.name, new.description, new.apps_label);
    END
    """,
    """
    CREATE TRIGGER mantra_search_after_delete AFTER DELETE ON mantras BEGIN
        DELETE FROM mantra_search WHERE rowid = old.rowid;
    END
    """,
    """
    INSERT INTO mantra_search (rowid, name, description, apps)
    SELECT rowid, name, description, apps_label FROM mantras
    """,
]

SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS mantra_search_after_delete",
    "DROP TRIGGER IF EXISTS mantra_search_after_update",
    "DROP TRIGGER IF EXISTS mantra_search_after_insert",
    "DROP TABLE IF EXISTS mantra_search",
]

POSTGRES_UPGRADE = [
    """
    CREATE INDEX ix_mantras_search ON mantras USING gin (
        to_tsvector('simple'::regconfig,
            name || ' ' || description || ' ' || apps_label)
    )
    """,
]

POSTGRES_DOWNGRADE = ["DROP INDEX IF EXISTS ix_mantras_search"]


def _execute(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _execute(SQLITE_UPGRADE)
    else:
        _execute(POSTGRES_UPGRADE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _execute(SQLITE_DOWNGRADE)
    else:
        _execute(POSTGRES_DOWNGRADE)
