"""`celltrace access-log`: the auditor's list of recorded reads and label prints, with the
check of the log's hash chain (R-ACC-2). Exit 0 intact, 1 changed, 2 usage error."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

import typer

from ledger.config import Settings


def register_access(app: typer.Typer, settings_of: Callable[[], Settings]) -> None:
    """Add the `access-log` command to `app`."""

    @app.command("access-log")
    def access_log(
        subject: Annotated[
            str | None,
            typer.Option(
                metavar="CODE",
                help="Only reads of this record (or by this person), e.g. a patient; "
                "`items`: the lists of items read; "
                "printer:NAME for a label printer's registration, changes and retirement.",
            ),
        ] = None,
        head: Annotated[
            str | None,
            typer.Option(
                metavar="N:HEX",
                help="A head printed earlier (N:HEX); the check fails if the log no longer "
                "contains it (a rewritten log).",
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Who read which patient's, donor's or item's record, or printed which label, when
        and through what; checks the hash chain first."""
        from ledger.errors import InvalidInput
        from ledger.identifiers import parse_code
        from ledger.integrity.access_chain import AccessChainBroken
        from ledger.storage.db import create_db_engine
        from ledger.stores.access_log import ITEM_LIST, AccessLog

        kept: tuple[int, bytes] | None = None
        if head is not None:
            try:
                number, digest = head.split(":", 1)
                kept = (int(number), bytes.fromhex(digest))
            except ValueError:
                raise typer.BadParameter(
                    "use N:HEX as printed earlier", param_hint="--head"
                ) from None
        if subject is not None and subject != ITEM_LIST and not subject.startswith("printer:"):
            try:
                subject = str(parse_code(subject))
            except InvalidInput as exc:
                raise typer.BadParameter(exc.detail, param_hint="--subject") from None
        log = AccessLog(create_db_engine(settings_of()))
        log.create_tables()
        problem: str | None = None
        try:
            count, last = log.verify()
        except AccessChainBroken as exc:
            count, last, problem = 0, b"", str(exc)
        if problem is None and kept is not None and log.head_hash(kept[0]) != kept[1]:
            problem = f"access log entry {kept[0]} is not the one kept; the log was rewritten"
        entries = log.entries(subject)
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "intact": problem is None,
                        "problem": problem,
                        "head": f"{count}:{last.hex()}" if count and problem is None else None,
                        "entries": [vars(e) for e in entries],
                    },
                    indent=2,
                )
            )
        else:
            for e in entries:
                line = f"{e.seq:>6} {e.at[:19]} {e.person} ({e.role}) {e.action} {e.subject}"
                extra = f" reason={e.reason!r}" if e.reason else ""
                extra += f" sha256={e.payload_sha256}" if e.payload_sha256 else ""
                typer.echo(f"{line} via {e.via}{extra}")
            if problem is None:
                head_text = f"{count}:{last.hex()}" if count else "empty"
                typer.echo(f"Access log intact: {count} entries, head {head_text}")
            else:
                typer.echo(f"ACCESS LOG CHANGED: {problem}", err=True)
        raise typer.Exit(0 if problem is None else 1)
