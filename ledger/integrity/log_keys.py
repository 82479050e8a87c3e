"""The transparency log's Ed25519 note keys: the signer, the published key history and key
rotation (R-LED-4; c2sp.org/signed-note key names and IDs, c2sp.org/tlog-checkpoint rotation).

Files in the data directory's `keys/` folder (0700, each private key 0600):

    log.key        the current signing key (PEM PKCS8), named after the log origin
    log.next.key   only during a rotation: the key being introduced
    log-keys.txt   the public verifier keys of every log key, oldest first, one per line
    retired/       private keys retired by a rotation (never used to sign again)

A rotation is a checkpoint co-signed by the current and the next key; from then on only the
next key signs and verifiers (`note.KeyHistory`) refuse a signature by the old key alone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ledger.config import Settings
from ledger.errors import IntegrityFailure
from ledger.integrity.note import NoteError, Signer, Verifier, open_note
from ledger.integrity.offline import read_keys
from ledger.stores import keys

LOG_NEXT_KEY = "log.next.key"
KEY_HISTORY = "log-keys.txt"
RETIRED_DIR = "retired"


def log_signer(settings: Settings) -> Signer:
    """The current log key (created on first use, as `celltrace init` does)."""
    return Signer(settings.log_key.load_or_create(), settings.origin)


def key_history(settings: Settings) -> list[Verifier]:
    """The log's verifier keys, oldest first: `log-keys.txt`, else the current key alone."""
    path = settings.keys_dir / KEY_HISTORY
    if path.exists():
        return read_keys(path.read_text(encoding="utf-8"))
    if settings.log_key.exists():
        return [log_signer(settings).verifier()]
    return []


def log_keys_of(verifiers: Sequence[Verifier], origin: str) -> list[Verifier]:
    """The log's own keys among published keys: those named after the origin, in order."""
    return [v for v in verifiers if v.name == origin]


def verifier_key_lines(settings: Settings, extra: Sequence[str] = ()) -> str:
    """`GET /ledger/keys`: the log key history, oldest first, then `extra` keys (e.g. the
    label key from label_printing), one verifier key per line."""
    lines = [v.key_string() for v in key_history(settings)] + [e.strip() for e in extra]
    return "".join(f"{line}\n" for line in lines if line)


def signers_for(settings: Settings, latest_note: str | None) -> list[Signer]:
    """The key(s) to sign the next checkpoint with.

    A rotation whose co-signed checkpoint is stored (`latest_note` carries a signature by the
    next key) is completed first; one begun but not yet co-signed still signs with the
    current key, which verifiers trust until the rotation checkpoint.
    """
    current = log_signer(settings)
    _ensure_history(settings, current.verifier())
    next_key = _next_key(settings)
    if next_key.exists():
        upcoming = Signer(next_key.load(), settings.origin)
        if latest_note is not None and _signed_by(latest_note, upcoming.verifier()):
            return [finish_rotation(settings)]
    return [current]


def begin_rotation(settings: Settings) -> tuple[Signer, Signer]:
    """Create (or resume) the next key and publish it; returns (current, next)."""
    current = log_signer(settings)
    _ensure_history(settings, current.verifier())
    upcoming = Signer(_next_key(settings).load_or_create(), settings.origin)
    history = key_history(settings)
    if upcoming.verifier() not in history:
        _write_history(settings, [*history, upcoming.verifier()])
    return current, upcoming


def finish_rotation(settings: Settings) -> Signer:
    """After the co-signed checkpoint is stored: retire the current key, promote the next."""
    current = log_signer(settings)
    retired = settings.keys_dir / RETIRED_DIR
    retired.mkdir(mode=0o700, exist_ok=True)
    os.replace(settings.log_key.path, retired / f"log-{current.key_id.hex()}.key")
    os.replace(_next_key(settings).path, settings.log_key.path)
    return log_signer(settings)


def _next_key(settings: Settings) -> keys.KeyFile:
    """The key a rotation introduces: beside the log key, with the same passphrase."""
    return settings.log_key.sibling(LOG_NEXT_KEY, "next log signing key")


def _ensure_history(settings: Settings, current: Verifier) -> None:
    path = settings.keys_dir / KEY_HISTORY
    if not path.exists():
        _write_history(settings, [current])
        return
    if current not in key_history(settings):
        raise IntegrityFailure(
            f"{settings.log_key.path} ({current.key_string()}) is not a published log key in "
            f"keys/{KEY_HISTORY}; restore the right key, or change keys only with "
            "`celltrace rotate-log-key` (check CELLTRACE_LOG_ORIGIN too: it names the key)"
        )


def _write_history(settings: Settings, verifiers: Sequence[Verifier]) -> None:
    path: Path = settings.keys_dir / KEY_HISTORY
    tmp = path.with_suffix(".tmp")
    body = "".join(f"{v.key_string()}\n" for v in verifiers)
    tmp.write_text(
        "# CellTrace transparency log verifier keys, oldest first (c2sp.org/signed-note)\n" + body,
        encoding="utf-8",
    )
    os.replace(tmp, path)


def _signed_by(note: str, verifier: Verifier) -> bool:
    try:
        opened = open_note(note, [verifier])
    except NoteError:
        return False
    return verifier in opened.verified_by
