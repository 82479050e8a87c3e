"""The tables kept beside the event store as release 0.1.0 made them.

Creates only the tables that are missing, so it also adopts a database that release made
(before revisions were recorded). Never changed: a later shape is a later revision.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def tables() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "log_checkpoints",
        md,
        sa.Column("sequence", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.String(length=40), nullable=False),
    )
    sa.Table(
        "log_identity",
        md,
        sa.Column("position", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("verifier_key", sa.Text(), nullable=False, unique=True),
        sa.Column("recorded_at", sa.String(length=40), nullable=False),
    )
    sa.Table(
        "credentials",
        md,
        sa.Column("person_code", sa.String(length=40), primary_key=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.String(length=40), nullable=True),
    )
    sa.Table(
        "sessions",
        md,
        sa.Column("token_sha256", sa.LargeBinary(length=32), primary_key=True),
        sa.Column("person_code", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=40), nullable=False),
    )
    sa.Table(
        "sign_in_throttles",
        md,
        sa.Column("scope", sa.String(length=300), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.String(length=40), nullable=False),
        sa.Column("blocked_until", sa.String(length=40), nullable=True),
    )
    sa.Table(
        "access_log",
        md,
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("person", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("via", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Index("ix_access_log_subject", "subject"),
    )
    sa.Table(
        "label_printers",
        md,
        sa.Column("name", sa.String(length=40), primary_key=True),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("dpi", sa.Integer(), nullable=False),
        sa.Column("stock", sa.String(length=60), nullable=False),
        sa.Column("registered_at", sa.String(length=40), nullable=False),
        sa.Column("registered_by", sa.String(length=40), nullable=False),
        sa.Column("changed_at", sa.String(length=40), nullable=True),
        sa.Column("changed_by", sa.String(length=40), nullable=True),
        sa.Column("retired_at", sa.String(length=40), nullable=True),
        sa.Column("retired_by", sa.String(length=40), nullable=True),
        sa.Column("retired_reason", sa.String(length=500), nullable=True),
    )
    return md


def upgrade() -> None:
    tables().create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError(
        "the first schema is not removed: its tables hold passwords, checkpoints and the access "
        "log; restore a backup taken before the upgrade instead"
    )
