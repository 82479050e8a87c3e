"""Every table of a ledger's database, created by `celltrace init`."""

from __future__ import annotations

from sqlalchemy import Engine

from ledger import personal_data
from ledger.config import Settings
from ledger.credentials import Credentials
from ledger.integrity import log_identity
from ledger.integrity.checkpoints import Checkpoints
from ledger.projections.items import ItemsView
from ledger.projections.merkle import MerkleView


def create_side_tables(settings: Settings, engine: Engine) -> None:
    """Create every table beside the event store (idempotent): read models, Merkle log,
    checkpoints, the log identity, passwords and sessions, personal data."""
    ItemsView(engine).create_tables()
    MerkleView(engine).create_tables()
    Checkpoints(settings, engine).create_tables()
    log_identity.create_table(engine)
    Credentials(engine).create_tables()
    personal_data.create_tables(engine)
