"""`python -m ledger` runs the `celltrace` command."""

from ledger.cli import main

main()
