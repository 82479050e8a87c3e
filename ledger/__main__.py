"""`python -m ledger` runs the `celltrace` command."""

from ledger.cli.main import main

main()
