"""C2SP signed notes and tlog checkpoints with Ed25519, and log key rotation (R-LED-4).

Implements c2sp.org/signed-note (note format, signature lines, Ed25519 signature type 0x01 and
its key ID), c2sp.org/tlog-checkpoint (the checkpoint note text), and the verifier and signer
key strings of Go's golang.org/x/mod/sumdb/note that the C2SP ecosystem shares:

    key ID       = SHA-256(name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4]
    verifier key = name "+" hex8(key ID) "+" base64(0x01 || public key)
    signer key   = "PRIVATE+KEY+" name "+" hex8(key ID) "+" base64(0x01 || 32-byte seed)
    signed note  = text (ending in LF) LF 1*(U+2014 SP name SP base64(key ID || signature) LF)
    checkpoint   = origin LF size LF base64(32-byte root hash) LF *(extension LF)

Key rotation (tlog-checkpoint "Signatures": clients ignore unknown signatures) is a checkpoint
co-signed by the old and the new key; see KeyHistory.

Only the standard library and `cryptography` are imported, so an offline verifier can reuse it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALG_ED25519 = 0x01
MAX_SIGNATURES = 100
"""Signature lines accepted per note (signed-note: at least 16; Go's sumdb/note uses 100)."""

_SIG_PREFIX = "\u2014 "
_PRIVATE_PREFIX = "PRIVATE+KEY+"
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_HEX8 = re.compile(r"[0-9a-f]{8}")
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")


class NoteError(ValueError):
    """A signed note or checkpoint is not acceptable (c2sp.org/signed-note)."""


class MalformedNoteError(NoteError):
    """The bytes are not a well-formed signed note, note text or key string."""


class UnknownKeyError(NoteError):
    """No signature by a known key verifies; signed-note says the note MUST be rejected."""


class UntrustedKeyError(UnknownKeyError):
    """Verified only by a known key that is not trusted at this point of the log (KeyHistory)."""


class BadSignatureError(NoteError):
    """A signature line by a known key (name and key ID) does not verify."""


class CheckpointError(NoteError):
    """A note text is not a checkpoint as c2sp.org/tlog-checkpoint defines it."""


def key_id(name: str, public_key: bytes) -> bytes:
    """Return the Ed25519 key ID SHA-256(name || 0x0A || 0x01 || public key)[:4] (signed-note)."""
    _check_name(name)
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A public Ed25519 note key: its name, key ID and 32-byte public key (signed-note)."""

    name: str
    key_id: bytes
    public_key: bytes

    def __post_init__(self) -> None:
        if len(self.public_key) != 32:
            raise MalformedNoteError(f"Ed25519 public key is {len(self.public_key)} bytes, not 32")
        if self.key_id != key_id(self.name, self.public_key):
            raise MalformedNoteError(f"key ID {self.key_id.hex()} does not match key {self.name}")

    @classmethod
    def from_public_key(cls, name: str, public_key: Ed25519PublicKey) -> Verifier:
        """Build the verifier of `public_key` under `name`, computing its key ID."""
        raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return cls(name, key_id(name, raw), raw)

    @classmethod
    def from_key_string(cls, vkey: str) -> Verifier:
        """Parse `name+hex8(key ID)+base64(0x01 || public key)`, checking the key ID."""
        parts = vkey.split("+", 2)
        if len(parts) != 3 or not _HEX8.fullmatch(parts[1]):
            raise MalformedNoteError("verifier key is not name+hex8+base64")
        name, key_hex, material = parts
        raw = _decode_key_material(material, "verifier key")
        return cls(name, bytes.fromhex(key_hex), raw)

    def key_string(self) -> str:
        """Return `name+hex8(key ID)+base64(0x01 || public key)`, as published for auditors."""
        material = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Return whether `signature` is this key's Ed25519 signature of `message` (RFC 8032)."""
        if len(signature) != 64:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


class Signer:
    """An Ed25519 note signing key with its name; repr never shows the secret."""

    def __init__(self, private_key: Ed25519PrivateKey, name: str) -> None:
        self._private_key = private_key
        self._verifier = Verifier.from_public_key(name, private_key.public_key())

    @classmethod
    def generate(cls, name: str) -> Signer:
        """Create a fresh random key named `name`."""
        return cls(Ed25519PrivateKey.generate(), name)

    @classmethod
    def from_key_string(cls, skey: str) -> Signer:
        """Parse `PRIVATE+KEY+name+hex8(key ID)+base64(0x01 || seed)`, checking the key ID."""
        parts = skey[len(_PRIVATE_PREFIX) :].split("+", 2)
        if not skey.startswith(_PRIVATE_PREFIX) or len(parts) != 3 or not _HEX8.fullmatch(parts[1]):
            raise MalformedNoteError("signer key is not PRIVATE+KEY+name+hex8+base64")
        name, key_hex, material = parts
        signer = cls(
            Ed25519PrivateKey.from_private_bytes(_decode_key_material(material, "signer key")), name
        )
        if signer.key_id.hex() != key_hex:
            raise MalformedNoteError(f"signer key ID {key_hex} does not match key {name}")
        return signer

    @property
    def name(self) -> str:
        return self._verifier.name

    @property
    def key_id(self) -> bytes:
        return self._verifier.key_id

    def verifier(self) -> Verifier:
        """Return the public half of this key."""
        return self._verifier

    def key_string(self) -> str:
        """Return the SECRET `PRIVATE+KEY+name+hex8+base64(0x01 || seed)`, for a 0600 key file."""
        seed = self._private_key.private_bytes_raw()
        material = base64.b64encode(bytes([ALG_ED25519]) + seed).decode()
        return f"{_PRIVATE_PREFIX}{self.name}+{self.key_id.hex()}+{material}"

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of `message` (RFC 8032)."""
        return self._private_key.sign(message)

    def __repr__(self) -> str:
        return f"Signer(name={self.name!r}, key_id={self.key_id.hex()})"


@dataclass(frozen=True)
class NoteSignature:
    """One signature line `\u2014 name base64(key ID || signature)` of a signed note."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        blob = base64.b64encode(self.key_id + self.signature).decode()
        return f"{_SIG_PREFIX}{self.name} {blob}\n"


@dataclass(frozen=True)
class Note:
    """An opened note: its text, the known keys that verified it, and every signature line."""

    text: str
    verified_by: tuple[Verifier, ...]
    signatures: tuple[NoteSignature, ...]


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """Return `text`, a blank line and one signature line per signer (c2sp.org/signed-note).

    The text must be valid UTF-8, end in a newline and contain no control characters but
    newline; each signer signs exactly the text bytes, final newline included.
    """
    _check_text(text)
    if not signers:
        raise ValueError("a signed note needs at least one signer")
    if len(signers) > MAX_SIGNATURES:
        raise ValueError(f"more than {MAX_SIGNATURES} signers")
    if len({(s.name, s.key_id) for s in signers}) != len(signers):
        raise ValueError("the same key appears twice among the signers")
    message = text.encode()
    lines = [NoteSignature(s.name, s.key_id, s.sign(message)).line() for s in signers]
    return text + "\n" + "".join(lines)


def open_note(note: str | bytes, verifiers: Iterable[Verifier]) -> Note:
    """Parse a signed note and verify it against known keys (c2sp.org/signed-note).

    Signature lines whose (name, key ID) is not a known key are ignored, even when one of the
    two matches. Every line by a known key must verify (BadSignatureError, stricter than the
    spec's SHOULD), and at least one must (UnknownKeyError). Malformed input, or more than
    MAX_SIGNATURES lines, raises MalformedNoteError.
    """
    text, signatures = _parse_note(note)
    known: dict[tuple[str, bytes], Verifier] = {}
    for v in verifiers:
        if known.setdefault((v.name, v.key_id), v) != v:
            raise ValueError(f"two different verifier keys share name {v.name} and key ID")
    message = text.encode()
    verified: list[Verifier] = []
    for sig in signatures:
        key = known.get((sig.name, sig.key_id))
        if key is None:
            continue
        if not key.verify(message, sig.signature):
            raise BadSignatureError(f"signature by {sig.name}+{sig.key_id.hex()} does not verify")
        if key not in verified:
            verified.append(key)
    if not verified:
        names = ", ".join(f"{s.name}+{s.key_id.hex()}" for s in signatures)
        raise UnknownKeyError(f"no signature by a known key (note is signed by {names})")
    return Note(text, tuple(verified), signatures)


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint note text of c2sp.org/tlog-checkpoint: origin, tree size, root hash."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "extensions", tuple(self.extensions))
        for what, line in (("origin", self.origin), *(("extension", e) for e in self.extensions)):
            if not line or "\n" in line or _CONTROL.search(line):
                raise CheckpointError(f"checkpoint {what} line must be non-empty, one line")
        if not 0 <= self.size < 2**64:
            raise CheckpointError(f"checkpoint tree size {self.size} is not a uint64")
        if len(self.root_hash) != 32:
            raise CheckpointError(f"checkpoint root hash is {len(self.root_hash)} bytes, not 32")

    def to_text(self) -> str:
        """Return the note text: origin, size, base64 root, extension lines, each ending \\n."""
        root = base64.b64encode(self.root_hash).decode()
        return "".join(
            f"{line}\n" for line in (self.origin, str(self.size), root, *self.extensions)
        )


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint note text strictly (c2sp.org/tlog-checkpoint "Note text").

    At least three non-empty lines each ending in newline: origin, decimal size without
    leading zeros, canonical base64 of exactly 32 bytes, then optional extension lines.
    """
    if not text.endswith("\n") or _CONTROL.search(text):
        raise CheckpointError("checkpoint text must be lines ending in newline, no control chars")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or not all(lines):
        raise CheckpointError("checkpoint text needs at least three lines, none empty")
    origin, size, root, *extensions = lines
    if not _DECIMAL.fullmatch(size):
        raise CheckpointError(f"checkpoint tree size {size!r} is not a decimal without leading 0")
    try:
        root_hash = _b64decode_strict(root)
    except ValueError:
        raise CheckpointError("checkpoint root hash is not canonical base64") from None
    return Checkpoint(origin, int(size), root_hash, tuple(extensions))


def open_checkpoint(
    note: str | bytes, verifiers: Iterable[Verifier], *, origin: str | None = None
) -> tuple[Checkpoint, Note]:
    """Open a signed checkpoint note and parse its text, checking the origin when given."""
    opened = open_note(note, verifiers)
    checkpoint = parse_checkpoint(opened.text)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    return checkpoint, opened


class KeyHistory:
    """Which log keys are trusted, walking signed notes in log order, with co-signed rotation.

    tlog-checkpoint lets clients ignore unknown signatures "for log key rotation". Rules:
    1. The trusted set starts as {initial}; `successors` are keys the log may rotate to.
    2. Each note must verify under a trusted key, else UntrustedKeyError (only a retired or a
       not-yet-adopted successor key signed it) or UnknownKeyError (no known key signed it).
    3. A note signed by a trusted key AND by successor keys is the rotation point: those
       successors become the trusted set and the previous trusted keys retire for good.
    4. A signature line by any known key that fails to verify is refused (BadSignatureError).
    """

    def __init__(self, initial: Verifier, successors: Iterable[Verifier] = ()) -> None:
        self._trusted: frozenset[Verifier] = frozenset({initial})
        self._retired: frozenset[Verifier] = frozenset()
        self._successors = frozenset(successors) - self._trusted

    @property
    def trusted(self) -> frozenset[Verifier]:
        return self._trusted

    @property
    def retired(self) -> frozenset[Verifier]:
        return self._retired

    def open(self, note: str | bytes) -> Note:
        """Open the next note of the log, applying the rules above; state changes on success."""
        known = self._trusted | self._retired | self._successors
        opened = open_note(note, known)
        signed_by = frozenset(opened.verified_by)
        if not signed_by & self._trusted:
            names = ", ".join(sorted(v.key_string() for v in signed_by))
            when = "retired" if signed_by & self._retired else "not yet adopted by rotation"
            raise UntrustedKeyError(f"note verified only by keys {when}: {names}")
        adopted = signed_by & self._successors
        if adopted:
            self._retired |= self._trusted
            self._successors -= adopted
            self._trusted = adopted
        return opened

    def open_all(self, notes: Iterable[str | bytes]) -> list[Note]:
        """Open every note in log order; raises at the first refused one."""
        return [self.open(note) for note in notes]


def _check_name(name: str) -> None:
    """Key names are non-empty UTF-8 without Unicode spaces or plus (signed-note "Format")."""
    if not name or "+" in name or any(c.isspace() or c < " " for c in name):
        raise MalformedNoteError(f"key name {name!r} is empty or has a space, '+' or control")
    try:
        name.encode()
    except UnicodeEncodeError:
        raise MalformedNoteError("key name is not valid UTF-8") from None


def _check_text(text: str) -> None:
    try:
        text.encode()
    except UnicodeEncodeError:
        raise MalformedNoteError("note text is not valid UTF-8") from None
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end in a newline")
    if _CONTROL.search(text):
        raise MalformedNoteError("note text contains a control character other than newline")


def _parse_note(note: str | bytes) -> tuple[str, tuple[NoteSignature, ...]]:
    """Split at the LAST blank line into text and signature lines (signed-note "Format")."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedNoteError("signed note is not valid UTF-8") from None
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("no blank line separates the note text from its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    _check_text(text)
    if not block:
        raise MalformedNoteError("a signed note needs at least one signature line")
    if not block.endswith("\n") or _CONTROL.search(block):
        raise MalformedNoteError("signature lines must each end in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"more than {MAX_SIGNATURES} signature lines")
    return text, tuple(_parse_signature_line(line) for line in lines)


def _parse_signature_line(line: str) -> NoteSignature:
    if not line.startswith(_SIG_PREFIX):
        raise MalformedNoteError(f"signature line does not start with an em dash: {line[:40]!r}")
    name, space, blob = line[len(_SIG_PREFIX) :].partition(" ")
    if not space:
        raise MalformedNoteError(f"signature line has no space after the key name: {line[:40]!r}")
    _check_name(name)
    try:
        raw = _b64decode_strict(blob)
    except ValueError:
        raise MalformedNoteError(f"signature by {name} is not canonical base64") from None
    if len(raw) < 5:
        raise MalformedNoteError(f"signature by {name} is shorter than a key ID and one byte")
    return NoteSignature(name, raw[:4], raw[4:])


def _decode_key_material(material: str, what: str) -> bytes:
    try:
        raw = _b64decode_strict(material)
    except ValueError:
        raise MalformedNoteError(f"{what} material is not canonical base64") from None
    if len(raw) != 33 or raw[0] != ALG_ED25519:
        raise MalformedNoteError(f"{what} is not an Ed25519 (type 0x01) 32-byte key")
    return raw[1:]


def _b64decode_strict(text: str) -> bytes:
    """Standard padded base64 (RFC 4648 section 4) in its one canonical spelling."""
    if not text or not _BASE64.fullmatch(text):
        raise ValueError("not padded standard base64")
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(str(exc)) from None
    if base64.b64encode(raw).decode() != text:
        raise ValueError("non-canonical base64")
    return raw
