"""Create the tables: users, linked Google accounts, mantras, servers, installations.

Revision ID: 0001
Revises: (none)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "google_auth",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("credentials", sa.JSON(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_google_auth_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_google_auth")),
        sa.UniqueConstraint(
            "user_id", "subject", name=op.f("uq_google_auth_user_id_subject")
        ),
    )
    with op.batch_alter_table("google_auth", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_google_auth_email"), ["email"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_google_auth_subject"), ["subject"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_google_auth_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "mantras",
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("workflow_json", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=2000), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("apps", sa.JSON(), nullable=False),
        sa.Column("apps_label", sa.String(length=1000), nullable=False),
        sa.Column("trigger_kind", sa.String(length=20), nullable=False),
        sa.Column("credential_types", sa.JSON(), nullable=False),
        sa.Column("node_count", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mantras_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mantras")),
    )
    with op.batch_alter_table("mantras", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mantras_content_hash"), ["content_hash"], unique=False
        )
        batch_op.create_index("ix_mantras_is_active", ["is_active"], unique=False)
        batch_op.create_index("ix_mantras_name", ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_mantras_trigger_kind"), ["trigger_kind"], unique=False
        )
        batch_op.create_index("ix_mantras_updated_at", ["updated_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_mantras_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "n8n_servers",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("base_url", sa.String(length=2000), nullable=False),
        sa.Column("n8n_version", sa.String(length=50), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_n8n_servers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_n8n_servers")),
        sa.UniqueConstraint(
            "user_id", "name", name=op.f("uq_n8n_servers_user_id_name")
        ),
    )
    with op.batch_alter_table("n8n_servers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_n8n_servers_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "mantra_facets",
        sa.Column("mantra_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["mantra_id"],
            ["mantras.id"],
            name=op.f("fk_mantra_facets_mantra_id_mantras"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "mantra_id", "kind", "value", name=op.f("pk_mantra_facets")
        ),
    )
    with op.batch_alter_table("mantra_facets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mantra_facets_kind_value", ["kind", "value"], unique=False
        )

    op.create_table(
        "mantra_installations",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("mantra_id", sa.String(length=36), nullable=False),
        sa.Column("server_id", sa.String(length=36), nullable=False),
        sa.Column("n8n_workflow_id", sa.String(length=64), nullable=True),
        sa.Column("mantra_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("bindings", sa.JSON(), nullable=False),
        sa.Column("workflow_hash", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mantra_id"],
            ["mantras.id"],
            name=op.f("fk_mantra_installations_mantra_id_mantras"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["server_id"],
            ["n8n_servers.id"],
            name=op.f("fk_mantra_installations_server_id_n8n_servers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mantra_installations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mantra_installations")),
    )
    with op.batch_alter_table("mantra_installations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mantra_installations_mantra_id"), ["mantra_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mantra_installations_server_id"), ["server_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mantra_installations_state"), ["state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mantra_installations_user_id"), ["user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("mantra_installations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mantra_installations_user_id"))
        batch_op.drop_index(batch_op.f("ix_mantra_installations_state"))
        batch_op.drop_index(batch_op.f("ix_mantra_installations_server_id"))
        batch_op.drop_index(batch_op.f("ix_mantra_installations_mantra_id"))

    op.drop_table("mantra_installations")
    with op.batch_alter_table("mantra_facets", schema=None) as batch_op:
        batch_op.drop_index("ix_mantra_facets_kind_value")

    op.drop_table("mantra_facets")
    with op.batch_alter_table("n8n_servers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_n8n_servers_user_id"))

    op.drop_table("n8n_servers")
    with op.batch_alter_table("mantras", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mantras_user_id"))
        batch_op.drop_index("ix_mantras_updated_at")
        batch_op.drop_index(batch_op.f("ix_mantras_trigger_kind"))
        batch_op.drop_index("ix_mantras_name")
        batch_op.drop_index("ix_mantras_is_active")
        batch_op.drop_index(batch_op.f("ix_mantras_content_hash"))

    op.drop_table("mantras")
    with op.batch_alter_table("google_auth", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_google_auth_user_id"))
        batch_op.drop_index(batch_op.f("ix_google_auth_subject"))
        batch_op.drop_index(batch_op.f("ix_google_auth_email"))

    op.drop_table("google_auth")
    op.drop_table("users")
