"""`celltrace backup DEST` and `celltrace restore SRC` (docs/operations.md "Backups and restore").

A backup copies the ledger while it runs, checks the copy (SQLite: verified like `celltrace
verify`) and writes a manifest with the chain head it ends with; the key store and the signing
keys go in their own subdirectories, to be kept apart. A restore checks every file against the
manifest, refuses to replace a ledger that holds more (or other) events than the backup, puts
the copy in place, erases again every identity the ledger records as erased, and verifies the
result, against a chain head or checkpoint kept outside the system when given: a restored ledger
older than that anchor is reported as rolled back (exit 1).
"""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.transparency import KeysOption, log_audit
from ledger.config import DatabaseURL, Settings
from ledger.errors import Conflict, InvalidInput
from ledger.integrity.records import KeptHead, Report
from ledger.integrity.verify import LogAudit, verify_database
from ledger.storage import backup as store
from ledger.storage.db import describe_database
from ledger.stores.personal_data import KEY_STORE_FILE

KEY_STORE_WARNING = (
    "WARNING: {path} holds the personal-data key store (names, birth dates, contacts of donors "
    "and patients, and the blinded studies' keys). Move it to encrypted storage apart from the "
    "ledger backup and keep it short-lived (R-LED-8: an erasure reaches a backup only when the "
    "backup expires); the blinded studies' keys must be kept as long as the ledger "
    "(docs/operations.md)."
)
KEYS_WARNING = (
    "WARNING: {path} holds the signing keys (log, labels, reports): secret. Keep them apart from "
    "the ledger backup, as long as the ledger."
)


def register_backup(
    app: typer.Typer, existing_ledger: Callable[[], Settings], settings_of: Callable[[], Settings]
) -> None:
    """Add `backup` and `restore` to `app`."""

    @app.command()
    def backup(
        dest: Annotated[Path, typer.Argument(help="A new (or empty) directory for the backup.")],
        key_store: Annotated[
            bool,
            typer.Option(
                "--key-store/--no-key-store",
                help="Copy the personal-data key store into DEST/key-store (default: yes).",
            ),
        ] = True,
        keys: Annotated[
            bool,
            typer.Option(
                "--keys/--no-keys", help="Copy the signing keys into DEST/keys (default: yes)."
            ),
        ] = True,
    ) -> None:
        """Copy the ledger while it runs into DEST/ledger, with a manifest (the chain head it
        ends with, the SHA-256 of every file); the key store and the signing keys go into
        DEST/key-store and DEST/keys, to be kept apart."""
        settings = existing_ledger()
        _new_directory(dest)
        (dest / store.LEDGER).mkdir(parents=True, mode=0o700)
        db = settings.database
        if db.backend == "sqlite":
            head = store.backup_sqlite(settings, dest)
            copied = store.backup_sqlite_key_store(settings, dest) if key_store else None
            copy = DatabaseURL.parse(f"sqlite:///{dest / store.LEDGER / store.SQLITE_LEDGER}")
            report = verify_database(copy, log=_log_audit(settings))
            if not report.intact:
                _fail_copy(report)
        else:
            head = store.backup_postgres(settings, dest, key_store=key_store)
            copied = dest / store.KEY_STORE / store.PG_KEY_STORE if key_store else None
        if keys and settings.keys_dir.is_dir():
            store.copy_keys(settings.keys_dir, dest / store.KEYS)
        manifest = store.Manifest(
            version("celltrace"), store.now_iso(), db.backend, head, _digests(dest)
        )
        (dest / store.LEDGER / store.MANIFEST).write_text(manifest.to_json() + "\n", "utf-8")
        typer.echo(f"Backed up {describe_database(settings)} to {dest / store.LEDGER}:")
        typer.echo(f"{head.events} events, chain head {head}.")
        if db.backend == "sqlite":
            typer.echo("The copy verified intact (event hashes, chains, Merkle log, checkpoints).")
        else:
            typer.echo(
                "Check a PostgreSQL backup by restoring it into a scratch database "
                "(`celltrace restore`, which verifies it)."
            )
        if copied is not None:
            typer.echo(KEY_STORE_WARNING.format(path=copied.parent), err=True)
        if keys and (dest / store.KEYS).is_dir():
            typer.echo(KEYS_WARNING.format(path=dest / store.KEYS), err=True)

    @app.command()
    def restore(
        source: Annotated[Path, typer.Argument(help="A directory `celltrace backup` wrote.")],
        checkpoint: Annotated[
            Path | None,
            typer.Option(
                "--checkpoint",
                metavar="FILE",
                help="The latest signed checkpoint kept outside the system: a restored ledger "
                "that does not reach it is reported as rolled back.",
            ),
        ] = None,
        chain_head: Annotated[
            str | None,
            typer.Option(
                "--chain-head",
                metavar="N:HEX",
                help="The latest chain head kept outside the system (as verify prints it).",
            ),
        ] = None,
        keys: KeysOption = None,
    ) -> None:
        """Put a backup in place of this ledger (only one it extends: never over more events),
        erase again every identity the ledger records as erased, and verify the result.

        Exit 0 restored and intact, 1 the backup is damaged or altered, or the restored ledger
        is not intact or older than the kept checkpoint or chain head, 2 refused (nothing
        written), 3 the database or a PostgreSQL tool cannot be used."""
        kept = _kept_head(chain_head)
        settings = settings_of()
        manifest = store.Manifest.read(source)
        if manifest.backend != settings.database.backend:
            raise InvalidInput(
                f"{source} is a backup of a {manifest.backend} ledger and this ledger is on "
                f"{settings.database.backend}; set CELLTRACE_DATABASE_URL to a "
                f"{manifest.backend} database"
            )
        damaged = store.damaged_files(source, manifest)
        if damaged:
            typer.echo(
                f"BACKUP DAMAGED OR ALTERED: {', '.join(damaged)} in {source} differ from its "
                "manifest (missing or another SHA-256). Nothing was restored; use another backup.",
                err=True,
            )
            raise typer.Exit(1)
        anchor = _anchor_size(checkpoint)  # a checkpoint that cannot be read: exit 2, no write
        if settings.database.backend == "sqlite":
            restored_key_store = _restore_sqlite(settings, source, manifest)
        else:
            restored_key_store = _restore_postgres(settings, source, manifest)
        if (source / store.KEYS).is_dir():
            copied, differing = store.copy_keys(source / store.KEYS, settings.keys_dir)
            if copied:
                typer.echo(f"Signing keys restored: {', '.join(copied)}.")
            if differing:
                typer.echo(
                    f"Kept this installation's {', '.join(differing)} (they differ from the "
                    "backup's); checkpoints signed with the backup's key need its verifier key.",
                    err=True,
                )
        typer.echo(f"Restored {manifest.head.events} events ({manifest.created_at} backup).")
        if restored_key_store:
            from ledger.bootstrap import open_ledger

            ledger = open_ledger(settings)
            try:
                erased = ledger.reapply_identity_erasures()
            finally:
                ledger.close()
            typer.echo(
                f"Key store restored; {len(erased)} erased identit"
                f"{'y' if len(erased) == 1 else 'ies'} erased again."
            )
        # the keys of the restored ledger (or --keys) check the kept checkpoint's signature
        audit = log_audit(settings, keys, checkpoint)[0]
        _verify_restored(settings, manifest, kept, checkpoint, anchor, audit)

    def _restore_sqlite(settings: Settings, source: Path, manifest: store.Manifest) -> bool:
        path = settings.database.sqlite_path
        assert path is not None
        copy = source / store.LEDGER / store.SQLITE_LEDGER
        _refuse_losing_events(
            settings, manifest, store.sqlite_head(path) if path.exists() else None
        )
        if path.exists():
            here = store.sqlite_head(path)
            if here.notification_id is not None and here.chain_hash != store.sqlite_chain_hash_at(
                copy, here.notification_id
            ):
                raise Conflict(
                    f"the ledger at {path} is not a part of the backup: its chain head {here} is "
                    "not in the backup (another history). Nothing was restored; restore into a "
                    "new data directory (CELLTRACE_DATA_DIR) and compare"
                )
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with _no_worker(settings):
            store.copy_sqlite(copy, path)
            key_store = source / store.KEY_STORE / KEY_STORE_FILE
            here_keys = settings.data_dir / KEY_STORE_FILE
            if key_store.exists() and not _sqlite_key_store_in_use(here_keys):
                store.copy_sqlite(key_store, here_keys)
                return True
        if key_store.exists():
            typer.echo(
                f"Kept the key store {here_keys}: it holds keys already (never restore a key "
                "store over a newer one).",
                err=True,
            )
        return False

    def _restore_postgres(settings: Settings, source: Path, manifest: store.Manifest) -> bool:
        db = settings.database
        here = store.postgres_head(db)
        _refuse_losing_events(settings, manifest, here if here.events else None)
        if store.postgres_has_ledger(db) or not store.postgres_key_store_empty(db):
            raise Conflict(
                f"{describe_database(settings)} already holds a ledger's tables or a key store; "
                "restore into a new, empty database (CREATE DATABASE ... OWNER ..., without "
                "`celltrace init`) and point CELLTRACE_DATABASE_URL at it. Nothing was restored"
            )
        store.drop_empty_key_store_schema(db)
        store.restore_postgres(db, source / store.LEDGER / store.PG_LEDGER)
        typer.echo(
            "Restored as the owner: grant the application role its privileges with "
            "`celltrace init --grant-to ROLE` (docs/operations.md).",
            err=True,
        )
        dump = source / store.KEY_STORE / store.PG_KEY_STORE
        if dump.exists():
            store.restore_postgres(db, dump)
            return True
        return False

    def _refuse_losing_events(
        settings: Settings, manifest: store.Manifest, here: store.Head | None
    ) -> None:
        if here is not None and here.events > manifest.head.events:
            raise Conflict(
                f"{describe_database(settings)} holds {here.events} events and the backup "
                f"{manifest.head.events}: restoring it would remove "
                f"{here.events - manifest.head.events} recorded events (R-LED-1). Nothing was "
                "restored; restore into a new data directory or database to compare"
            )


def _new_directory(dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InvalidInput(
            f"{dest} exists and is not an empty directory; give a new directory (a backup "
            "never overwrites anything)"
        )


def _digests(dest: Path) -> dict[str, str]:
    return {
        str(path.relative_to(dest)): store.sha256_file(path)
        for path in sorted(dest.rglob("*"))
        if path.is_file() and path.name != store.MANIFEST
    }


def _log_audit(settings: Settings, checkpoint: Path | None = None) -> LogAudit:
    return log_audit(settings, None, checkpoint)[0]


def _kept_head(text: str | None) -> KeptHead | None:
    if text is None:
        return None
    try:
        return KeptHead.parse(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--chain-head") from None


def _fail_copy(report: Report) -> None:
    problem = report.first_break.describe() if report.first_break else "not intact"
    typer.echo(
        f"TAMPERING DETECTED in the ledger copied: {problem}. The backup was written but "
        "holds the same break; run `celltrace verify` on this ledger.",
        err=True,
    )
    raise typer.Exit(1)


def _verify_restored(
    settings: Settings,
    manifest: store.Manifest,
    kept: KeptHead | None,
    checkpoint: Path | None,
    anchor: int | None,
    audit: LogAudit,
) -> None:
    events = manifest.head.events
    last_id = manifest.head.notification_id or 0
    if anchor is not None and anchor > events:
        typer.echo(
            f"ROLLED BACK: the checkpoint {checkpoint} covers {anchor} events and the restored "
            f"ledger holds {events}: {anchor - events} recorded events are missing. Restore a "
            "newer backup.",
            err=True,
        )
        raise typer.Exit(1)
    if kept is not None and kept.notification_id is not None and kept.notification_id > last_id:
        typer.echo(
            f"ROLLED BACK: the chain head kept at notification {kept.notification_id} is after "
            f"the restored ledger's last ({last_id}). Restore a newer backup.",
            err=True,
        )
        raise typer.Exit(1)
    report = verify_database(settings.database, kept_head=kept, log=audit or _log_audit(settings))
    if not report.intact:
        problem = report.first_break.describe() if report.first_break else "not intact"
        typer.echo(f"TAMPERING DETECTED after restoring: {problem}", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"Intact: {report.events} events verified; {report.checkpoints} signed checkpoint"
        f"{'' if report.checkpoints == 1 else 's'} checked. Chain head: {report.head}"
    )
    if kept is None and anchor is None:
        typer.echo(
            "Note: no checkpoint or chain head kept outside the system was given, so an older "
            "backup cannot be told from the latest: pass --checkpoint FILE or --chain-head N:HEX.",
            err=True,
        )
    sys.stdout.flush()


def _anchor_size(checkpoint: Path | None) -> int | None:
    """The tree size a kept checkpoint commits to (its second line); a file that is not a
    checkpoint is a usage error."""
    if checkpoint is None:
        return None
    try:
        lines = checkpoint.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(
            f"cannot read {checkpoint}: {exc}", param_hint="--checkpoint"
        ) from None
    if len(lines) < 3 or not lines[1].isdigit():
        raise typer.BadParameter(
            f"{checkpoint} is not a signed checkpoint (origin, size and root lines, as "
            "`celltrace checkpoint` prints it)",
            param_hint="--checkpoint",
        )
    return int(lines[1])


def _sqlite_key_store_in_use(path: Path) -> bool:
    """Whether the key store at `path` holds any key (an empty or missing one may be replaced)."""
    if not path.exists():
        return False
    with store.closing_sqlite(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return any(
            conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()  # noqa: S608 - fixed names
            for table in ("personal_keys", "study_keys")
            if table in tables
        )


@contextmanager
def _no_worker(settings: Settings) -> Iterator[None]:
    """Refuse while a celltrace worker maintains this SQLite ledger (it holds the worker lock),
    and hold the lock while restoring."""
    fd = os.open(settings.data_dir / "worker.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(
                "a celltrace worker is running on this ledger; stop it (and `celltrace serve`), "
                "then restore. Nothing was restored"
            ) from None
        yield
    finally:
        os.close(fd)
