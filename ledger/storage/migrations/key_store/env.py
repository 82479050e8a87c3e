"""Alembic's entry point for this chain of revisions (see ledger/storage/migrations)."""

from alembic import context

from ledger.storage.migrations import run_env

run_env(context)
