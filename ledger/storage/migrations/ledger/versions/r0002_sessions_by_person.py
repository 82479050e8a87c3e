"""Sessions indexed by person: signing a person out everywhere (a password reset, a lock, R-ACC-3)
finds their sessions without reading every one.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("sessions_by_person", "sessions", ["person_code"], if_not_exists=True)


def downgrade() -> None:
    op.drop_index("sessions_by_person", table_name="sessions", if_exists=True)
