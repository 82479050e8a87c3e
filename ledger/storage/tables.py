"""The one SQLAlchemy `MetaData` of the tables beside the event store in the ledger's database:
the read models (`ledger.projections`) and the Merkle log and checkpoints (`ledger.integrity`)
define their tables on it.

It sits in the infrastructure layer so that both may import it without importing each other
(STYLE.md "Layers"); each table keeps its own module, name and columns.
"""

from __future__ import annotations

from sqlalchemy import MetaData

metadata = MetaData()
