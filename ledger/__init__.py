"""CellTrace: a GMP traceability ledger for cell-component and cell-derivative therapies."""
