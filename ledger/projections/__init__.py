"""Read models (SQLAlchemy tables) maintained from the ledger's notification log, exactly once."""
