"""`celltrace demo`: `run` records the whole story and verifies it; `records` (staff, materials,
donors, banks), `production`, `clinical` and `blinded` record its parts, also for the tests;
`ledger` decides where a demo may record."""
