"""The dedicated label signing key and its published verifier key (R-ID-2).

The key is ``keys/label.key`` in the data directory (Ed25519, PKCS#8 PEM, mode 0600), created by
``celltrace init`` through :mod:`ledger.stores.keys`. It is published exactly like the log key, as a
C2SP verifier key ``name+hex8(key ID)+base64(0x01 || public key)`` whose name is the log origin
followed by ``/labels``; the key ID in a label's QR payload selects it.
"""

from __future__ import annotations

from label_printing.errors import LabelKeyError
from ledger.config import Settings
from ledger.errors import InvalidInput
from ledger.integrity.note import Signer, Verifier

NAME_SUFFIX = "/labels"


def label_key_name(origin: str) -> str:
    """The label key's name: the ledger's origin (its log key name) followed by ``/labels``."""
    return origin + NAME_SUFFIX


def load_label_signer(settings: Settings) -> Signer:
    """Load the label signing key from the data directory, or explain how to create it."""
    key = settings.label_key
    if not key.exists():
        raise LabelKeyError(
            f"there is no label signing key at {key.path}; run `celltrace init` "
            "(or set CELLTRACE_DATA_DIR, CELLTRACE_KEYS_DIR or CELLTRACE_LABEL_KEY to where "
            "the ledger's label.key is)."
        )
    try:
        private_key = key.load()
    except InvalidInput as exc:
        raise LabelKeyError(
            f"{exc.detail}; restore the key from the backup of keys/ rather than creating a "
            "new one, or labels already printed stop verifying."
        ) from None
    return Signer(private_key, label_key_name(settings.origin))


def label_verifier(settings: Settings) -> Verifier:
    """The public label key, for scanners and for ``GET /ledger/keys``."""
    return load_label_signer(settings).verifier()
