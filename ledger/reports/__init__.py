"""Signed PDF records generated from the ledger, for inspectors who check them offline
(docs/reports.md): a lot's batch record and certificate of analysis, the QP release
certificate of a shipment and a patient's chain-of-identity and custody report, each
digitally signed by the installation (PAdES) and carrying the signed checkpoint and the
inclusion proofs of every event it cites. An entry-point package: the CLI and the API call
`ledger.reports.service`."""
