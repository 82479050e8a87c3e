"""The key store as release 0.1.0 made it: personal-data keys, personal data and the blinded
studies' keys.

Creates only the tables that are missing, so it also adopts a key store that release made
(before revisions were recorded). Never changed: a later shape is a later revision.

Revision ID: k0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "k0001"
down_revision = None
branch_labels = None
depends_on = None


def tables() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "personal_keys",
        md,
        sa.Column("subject_code", sa.String(length=40), primary_key=True),
        sa.Column("aes_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
    )
    sa.Table(
        "personal_data",
        md,
        sa.Column(
            "subject_code",
            sa.String(length=40),
            sa.ForeignKey("personal_keys.subject_code", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("nonce", sa.LargeBinary(length=12), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
    )
    sa.Table(
        "study_keys",
        md,
        sa.Column("study_code", sa.String(length=40), primary_key=True),
        sa.Column("aes_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
    )
    return md


def upgrade() -> None:
    tables().create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError(
        "the key store's first schema is not removed: it holds every personal-data key"
    )
