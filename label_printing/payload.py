"""The text in a label's QR code: a link to the item's page with a signed compact payload (R-ID-2).

Byte-exact in docs/label-format.md. The QR text is ``<base URL>/v/<code>#<compact>`` where

    compact = "CT1" "." KEYID "." LOT "." EXPIRY "." AUTOLOGOUS "." SIGNATURE

KEYID is the label key's C2SP key ID (8 upper-case hex digits), LOT and AUTOLOGOUS are item codes
or empty, EXPIRY is ``YYYYMMDD``, ``YYYYMMDDTHHMMZ`` (UTC) or empty, and SIGNATURE is the
unpadded RFC 4648 base32 of the Ed25519 signature over :meth:`LabelFields.message`. Everything
after the host is upper case, so a QR encoder can use its compact alphanumeric mode there.
A phone opens the page (the fragment never reaches the server); a bedside scanner checks the
signature offline with :func:`verify_scan`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from label_printing.content import Expiry, LabelContent, check_expiry
from label_printing.errors import (
    LabelContentError,
    LabelSignatureError,
    NotALabelError,
    UnknownLabelKeyError,
)
from ledger.errors import InvalidInput
from ledger.identifiers import ItemCode, ItemType, parse_code
from ledger.integrity.note import Signer, Verifier
from ledger.messages import Sentence

VERSION = "CT1"
DOMAIN = b"celltrace-label/1\n"
"""First line of every signed message, so a label signature can never pass for another one."""

_FRAGMENT = re.compile(
    r"CT1\.(?P<key>[0-9A-F]{8})\.(?P<lot>[0-9A-Z*-]*)\.(?P<expiry>[0-9TZ]*)"
    r"\.(?P<autologous>[0-9A-Z*-]*)\.(?P<signature>[A-Z2-7]{103})",
    re.ASCII,
)
_BASE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?", re.ASCII)
_DATE = "%Y%m%d"
_DATETIME = "%Y%m%dT%H%MZ"


@dataclass(frozen=True)
class LabelFields:
    """The fields a label signature covers: the code (and so its item type), lot, expiry and
    the autologous donor/recipient code."""

    code: ItemCode
    lot: ItemCode | None
    expiry: Expiry | None
    autologous: ItemCode | None

    @classmethod
    def of(cls, content: LabelContent) -> LabelFields:
        return cls(content.code, content.lot, content.expiry, content.autologous)

    @property
    def item_type(self) -> ItemType:
        return self.code.item_type

    def message(self) -> bytes:
        """The exact bytes signed: the domain line, then one ``name=value`` line per field."""
        lot, expiry = _text(self.lot), encode_expiry(self.expiry)
        return _message(str(self.code), lot, expiry, _text(self.autologous))

    def compact(self, signer: Signer) -> str:
        """The signed compact payload placed after ``#`` in the QR link."""
        signature = base64.b32encode(signer.sign(self.message())).decode().rstrip("=")
        parts = (_text(self.lot), encode_expiry(self.expiry), _text(self.autologous))
        return ".".join((VERSION, signer.key_id.hex().upper(), *parts, signature))


@dataclass(frozen=True)
class VerifiedLabel(LabelFields):
    """A scanned label whose signature verified: its fields, the key, and the item page link."""

    key: Verifier
    link: str

    @property
    def fields(self) -> LabelFields:
        """The signed fields alone, comparable with ``LabelFields.of(content)``."""
        return LabelFields(self.code, self.lot, self.expiry, self.autologous)


def label_link(code: ItemCode, base_url: str) -> str:
    """``<base URL>/v/<code>``: the page a phone opens when it scans the label."""
    return f"{check_base_url(base_url)}/v/{code}"


def qr_text(content: LabelContent | LabelFields, signer: Signer, base_url: str) -> str:
    """The text to encode in the label's QR code: the page link and the signed payload."""
    fields = content if isinstance(content, LabelFields) else LabelFields.of(content)
    return f"{label_link(fields.code, base_url)}#{fields.compact(signer)}"


def check_base_url(base_url: str) -> str:
    """Return the base URL without a trailing ``/``, refusing what a label link cannot carry."""
    trimmed = base_url.rstrip("/")
    if not _BASE_URL.fullmatch(trimmed):
        raise LabelContentError(
            f"base URL {base_url!r} must be http(s)://host[:port][/path] with no query, "
            "fragment or spaces; set CELLTRACE_BASE_URL to the address labels should open."
        )
    return trimmed


def encode_expiry(expiry: Expiry | None) -> str:
    """``""``, ``YYYYMMDD`` for a date, ``YYYYMMDDTHHMMZ`` (UTC) for a date and time."""
    if expiry is None:
        return ""
    check_expiry(expiry)
    if isinstance(expiry, datetime):
        return expiry.astimezone(UTC).strftime(_DATETIME)
    return expiry.strftime(_DATE)


def decode_expiry(text: str) -> Expiry | None:
    """Inverse of :func:`encode_expiry`; refuses any other spelling with ValueError."""
    if not text:
        return None
    if len(text) == 8:
        value: Expiry = datetime.strptime(text, _DATE).date()
    else:
        value = datetime.strptime(text, _DATETIME).replace(tzinfo=UTC)
    if encode_expiry(value) != text:
        raise ValueError(f"expiry {text!r} is not in its canonical spelling")
    return value


def verify_scan(
    text: str, trusted_keys: Iterable[Verifier | str], *, base_url: str | None = None
) -> VerifiedLabel:
    """Verify scanned QR text offline and return its signed fields, or raise (R-ID-2).

    Raises :class:`NotALabelError` for text that is not a CellTrace label payload,
    ``InvalidCodeError`` (R-ID-1) when the item code is misread or mistyped,
    :class:`UnknownLabelKeyError` when no trusted key has the payload's key ID, and
    :class:`LabelSignatureError` when the payload is damaged or its signature does not verify.
    ``trusted_keys`` are label verifier keys (``name+hex8+base64``, as ``GET /ledger/keys``
    publishes them) or :class:`Verifier` objects. The link's host is not signed (labels stay
    valid when the server moves); give ``base_url`` to refuse links to any other address.
    """
    link, hash_mark, fragment = text.strip().partition("#")
    # Payload characters are case-insensitive: a keyboard-wedge scanner with Caps Lock on
    # must not turn a genuine label into a forgery.
    fragment = fragment.upper()
    if not hash_mark or not fragment.startswith(VERSION + "."):
        raise NotALabelError(
            Sentence(
                "{text!r} is not a CellTrace signed label (no '#{version}.' payload); scan the "
                "QR code on the item's own label, not its printed code.",
                text=text[:60],
                version=VERSION,
            )
        )
    match = _FRAGMENT.fullmatch(fragment)
    if match is None:
        raise LabelSignatureError(
            Sentence(
                "the label payload is damaged (a field is missing or malformed); do not use the "
                "item: set it aside and report it to QA."
            )
        )
    code = parse_code(link)
    if base_url is not None and link.lower() != label_link(code, base_url).lower():
        raise NotALabelError(
            Sentence(
                "the label of {code} links to {link!r}, not to {base}/v/...; it was not printed "
                "by this CellTrace: set it aside and report it to QA.",
                code=str(code),
                link=link,
                base=check_base_url(base_url),
            )
        )
    lot, expiry, autologous = match["lot"], match["expiry"], match["autologous"]
    keys = [v for v in map(_verifier, trusted_keys) if v.key_id.hex().upper() == match["key"]]
    if not keys:
        raise UnknownLabelKeyError(
            Sentence(
                "the label of {code} was signed by label key {key}, which is not a trusted key; "
                "load the published label verifier keys into this scanner, and if it still "
                "fails treat the label as forged and report it to QA.",
                code=str(code),
                key=match["key"].lower(),
            )
        )
    message = _message(str(code), lot, expiry, autologous)
    signature = _b32decode(match["signature"])
    key = next((v for v in keys if signature and v.verify(message, signature)), None)
    if key is None:
        raise LabelSignatureError(
            Sentence(
                "the signature on the label of {code} does not verify: the label was altered, "
                "damaged or forged; do not use the item: quarantine it and report it to QA.",
                code=str(code),
            )
        )
    try:
        fields = (_parse(lot), decode_expiry(expiry), _parse(autologous))
    except (ValueError, InvalidInput):  # signed, yet not what a CellTrace label key ever signs
        raise LabelSignatureError(
            Sentence(
                "the signed fields of {code} are malformed; do not use the item: report it to QA.",
                code=str(code),
            )
        ) from None
    return VerifiedLabel(code, *fields, key=key, link=link)


def _message(code: str, lot: str, expiry: str, autologous: str) -> bytes:
    item_type = code.partition("-")[0]
    fields = (
        ("code", code),
        ("type", item_type),
        ("lot", lot),
        ("expiry", expiry),
        ("autologous", autologous),
    )
    return DOMAIN + "".join(f"{name}={value}\n" for name, value in fields).encode("ascii")


def _text(code: ItemCode | None) -> str:
    return "" if code is None else str(code)


def _parse(text: str) -> ItemCode | None:
    return parse_code(text) if text else None


def _verifier(key: Verifier | str) -> Verifier:
    return key if isinstance(key, Verifier) else Verifier.from_key_string(key)


def _b32decode(text: str) -> bytes:
    """Unpadded base32 in its one canonical spelling, or b"" (which never verifies)."""
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except binascii.Error:
        return b""
    return raw if base64.b32encode(raw).decode().rstrip("=") == text else b""
