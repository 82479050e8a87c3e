"""The transparency-log commands of `celltrace` (R-LED-4, R-TRC-3): checkpoint, prove,
verify-proof, export, verify-export and rotate-log-key, plus what `verify` needs to audit
the Merkle log. `register(app)` adds them to the main command."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from ledger.config import Settings
from ledger.integrity.log_identity import key_ids, recorded_keys
from ledger.integrity.log_keys import key_history, log_keys_of
from ledger.integrity.note import CheckpointError, MalformedNoteError, NoteError, Verifier
from ledger.integrity.note import open_checkpoint as open_signed_checkpoint
from ledger.integrity.offline import read_keys
from ledger.integrity.verify import LedgerReader, LogAudit, Report
from ledger.storage.db import create_db_engine

KeysOption = Annotated[
    Path | None,
    typer.Option(
        "--keys",
        metavar="FILE",
        help="Verifier keys you trust, one per line (as GET /ledger/keys publishes them); "
        "default: the log key history in the data directory.",
    ),
]


def _usage(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@dataclass(frozen=True)
class TrustedKeys:
    """The log keys a verification trusts, and where they came from (said to the user)."""

    keys: tuple[Verifier, ...]
    source: str

    def describe(self) -> str:
        listed = key_ids(self.keys) if self.keys else "none"
        return f"Trusted log keys ({self.source}): {listed}"


def trusted_log_keys(settings: Settings, keys_file: Path | None) -> tuple[Verifier, ...]:
    return trusted_keys(settings, keys_file).keys


def trusted_keys(settings: Settings, keys_file: Path | None) -> TrustedKeys:
    """The --keys file; else the key history in the keys folder; else the keys the database
    recorded at `init` (usage errors exit 2)."""
    try:
        if keys_file is not None:
            found = read_keys(keys_file.read_text("utf-8"))
            return TrustedKeys(tuple(log_keys_of(found, settings.origin)), f"from {keys_file}")
        found = key_history(settings)
    except (OSError, ValueError) as exc:
        raise _usage(f"cannot read the verifier keys: {exc}") from None
    if found:
        return TrustedKeys(
            tuple(log_keys_of(found, settings.origin)),
            f"from the keys folder {settings.keys_dir}; pass --keys FILE to trust keys kept "
            "outside the system instead",
        )
    engine = create_db_engine(settings)
    try:
        recorded = recorded_keys(engine)
    finally:
        engine.dispose()
    return TrustedKeys(
        tuple(log_keys_of(recorded, settings.origin)),
        f"recorded in the database by `celltrace init`, as {settings.keys_dir} holds none; "
        "pass --keys FILE to trust keys kept outside the system instead",
    )


def log_audit(
    settings: Settings, keys_file: Path | None, checkpoint_file: Path | None
) -> tuple[LogAudit, TrustedKeys]:
    """What `celltrace verify` checks the Merkle log with; usage errors exit 2."""
    trusted = trusted_keys(settings, keys_file)
    keys = trusted.keys
    kept = None
    if checkpoint_file is not None:
        try:
            kept = checkpoint_file.read_text("utf-8")
            open_signed_checkpoint(kept, keys, origin=settings.origin)
        except OSError as exc:
            raise _usage(f"cannot read {checkpoint_file}: {exc}") from None
        except (MalformedNoteError, CheckpointError) as exc:
            raise _usage(
                f"{checkpoint_file} is not a signed checkpoint of this log: {exc}"
            ) from None
        except NoteError:
            pass  # a signature that does not verify is a finding, reported with exit 1
    if not keys and (kept is not None or _any_stored_checkpoint(settings)):
        raise _usage(
            f"no verifier key of the log {settings.origin} is known, so its checkpoints cannot "
            "be checked; pass --keys FILE (from GET /ledger/keys)"
        )
    return LogAudit(settings.origin, keys, kept), trusted


def _any_stored_checkpoint(settings: Settings) -> bool:
    stored = LedgerReader(settings.database).checkpoints()
    try:
        return next(stored, None) is not None
    finally:
        stored.close()


@contextmanager
def _log_up_to_date(settings: Settings) -> Iterator[Engine]:
    """An engine on the Merkle log after it integrated every event recorded so far."""
    from ledger.projections.merkle import MerkleFollower
    from ledger.projections.tracking import view_engine

    engine = view_engine(settings)
    try:
        MerkleFollower(engine).catch_up()
        yield engine
    finally:
        engine.dispose()


def report_json(report: Report) -> dict[str, object]:
    """A verification report as JSON (`verify --json`, `verify-export --json`)."""
    brk = report.first_break
    return {
        "intact": report.intact,
        "events_verified": report.events,
        "chain_head": str(report.head) if report.head else None,
        "checkpoints_verified": report.checkpoints,
        "merkle_root": report.merkle_root.hex() if report.merkle_root else None,
        "break": None
        if brk is None
        else {
            "kind": brk.kind,
            "notification_id": brk.notification_id,
            "originator_id": brk.originator_id,
            "originator_version": brk.originator_version,
            "message": brk.message,
        },
    }


def register(
    app: typer.Typer,
    settings_of: Callable[[], Settings],
    ledger_settings_of: Callable[[], Settings] | None = None,
) -> None:
    """Add the transparency commands to `app`. `ledger_settings_of` gives the settings of a
    ledger that must exist already (those commands never create one); `verify-proof` needs
    only the settings (it can check a proof offline with --keys)."""
    existing = ledger_settings_of or settings_of

    @app.command()
    def checkpoint() -> None:
        """Bring the Merkle log up to date, sign a checkpoint and print it."""
        from ledger.integrity.checkpoints import Checkpoints

        settings = existing()
        with _log_up_to_date(settings) as engine:
            signed, new = Checkpoints(settings, engine).sign()
        state = "signed" if new else "unchanged since"
        typer.echo(f"Checkpoint #{signed.sequence} {state}: {signed.size} entries.", err=True)
        typer.echo(signed.note, nl=False)

    @app.command()
    def prove(
        code: Annotated[
            str, typer.Argument(metavar="CODE", help="Item code (a scanned label URL works too).")
        ],
        out: Annotated[
            Path, typer.Option("--out", metavar="FILE", help="Where to write the proof.")
        ],
    ) -> None:
        """Write an item's events with inclusion proofs against the latest checkpoint."""
        from ledger.bootstrap import bring_up_to_date
        from ledger.identifiers import parse_code
        from ledger.integrity.proofs import TransparencyLog

        settings = existing()
        parsed = str(parse_code(code))
        bring_up_to_date(settings)
        with _log_up_to_date(settings) as engine:
            log = TransparencyLog(settings, engine)
            nids = log.item_notification_ids(parsed)
            latest = log.covering_checkpoint(parsed) if nids else log.checkpoints.latest()
            out.write_text(log.item_proof(parsed, latest), "utf-8")
        assert latest is not None
        typer.echo(
            f"Proof of {len(nids)} event{'s' * (len(nids) != 1)} of {parsed} against checkpoint "
            f"#{latest.sequence} "
            f"(size {latest.size}) written to {out}"
        )

    @app.command("verify-proof")
    def verify_proof(
        proof_file: Annotated[
            Path, typer.Argument(metavar="FILE", help="A proof written by `prove`.")
        ],
        keys: KeysOption = None,
    ) -> None:
        """Verify an item proof offline. Exit 0 proven, 1 refused, 2 usage error."""
        from ledger.integrity.offline import check_proof

        settings = settings_of()
        trusted = trusted_log_keys(settings, keys)
        if not trusted:
            raise _usage("no verifier key of the log is known; pass --keys FILE")
        try:
            text = proof_file.read_text("utf-8")
        except OSError as exc:
            raise _usage(f"cannot read {proof_file}: {exc}") from None
        try:
            typer.echo(check_proof(text, trusted))
        except ValueError as exc:  # malformed or unproven: refuse, naming why
            typer.echo(f"PROOF REFUSED: {exc}")
            raise typer.Exit(1) from None

    @app.command()
    def export(
        directory: Annotated[Path, typer.Argument(metavar="DIR", help="A new, empty directory.")],
    ) -> None:
        """Write a self-contained offline audit bundle (records, checkpoints, keys)."""
        from ledger.integrity.bundle import export_bundle
        from ledger.integrity.checkpoints import Checkpoints

        settings = existing()
        with _log_up_to_date(settings) as engine:
            Checkpoints(settings, engine).sign()
        try:
            done = export_bundle(settings, directory, _label_keys(settings))
        except FileExistsError as exc:
            raise _usage(str(exc)) from None
        typer.echo(
            f"Exported {done.events} events and {done.checkpoints} checkpoints to {directory}"
        )
        typer.echo(f"Chain head: {done.chain_head}")
        typer.echo(f"Merkle root at size {done.events}: {done.merkle_root}")
        typer.echo(
            f"Verify anywhere: PYTHONPATH={directory}/verifier python -m "
            f"ledger.integrity.offline {directory}"
        )

    @app.command("verify-export")
    def verify_export(
        directory: Annotated[
            Path, typer.Argument(metavar="DIR", help="An audit bundle directory.")
        ],
        keys: KeysOption = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    ) -> None:
        """Verify an audit bundle offline. Exit 0 intact, 1 tampering, 2 usage error."""
        from ledger.integrity.offline import BundleError, describe, verify_bundle

        try:
            keys_text = keys.read_text("utf-8") if keys is not None else None
            result = verify_bundle(directory, keys_text)
        except (OSError, BundleError) as exc:
            raise _usage(str(exc)) from None
        if as_json:
            typer.echo(json.dumps(report_json(result.report), indent=2))
        else:
            typer.echo("\n".join(describe(result)))
        raise typer.Exit(0 if result.report.intact else 1)

    @app.command("rotate-log-key")
    def rotate_log_key() -> None:
        """Introduce a new log key with a checkpoint co-signed by the old and the new key."""
        from ledger.integrity.checkpoints import Checkpoints
        from ledger.integrity.log_keys import begin_rotation, finish_rotation

        settings = existing()
        with _log_up_to_date(settings) as engine:
            current, upcoming = begin_rotation(settings)
            signed, _ = Checkpoints(settings, engine).sign(signers=[current, upcoming], force=True)
            finish_rotation(settings)
        typer.echo(f"Retired log key: {current.verifier().key_string()}")
        typer.echo(f"New log key:     {upcoming.verifier().key_string()}")
        typer.echo(f"Rotation checkpoint #{signed.sequence} (size {signed.size}), co-signed:")
        typer.echo(signed.note, nl=False)


def _label_keys(settings: Settings) -> list[str]:
    """The label key, when label_printing can load it (published beside the log keys)."""
    try:
        from label_printing.signing import label_verifier

        return [label_verifier(settings).key_string()]
    except Exception:
        return []
