"""The ledger's commands, one mixin per area, composed into CellTraceLedger."""
