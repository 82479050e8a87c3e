"""C2SP signed notes, tlog checkpoints and log key rotation (R-LED-4)."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.integrity.note import (
    BadSignatureError,
    Checkpoint,
    CheckpointError,
    KeyHistory,
    MalformedNoteError,
    NoteSignature,
    Signer,
    UnknownKeyError,
    UntrustedKeyError,
    Verifier,
    key_id,
    open_checkpoint,
    open_note,
    parse_checkpoint,
    sign_note,
)

# Known-answer vector of golang.org/x/mod/sumdb/note (its package documentation example),
# the reference implementation behind c2sp.org/signed-note.
GO_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZ"
    "SNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

SEED = bytes(range(32))
LOG_NAME = "celltrace.example/log"
ROOT = hashlib.sha256(b"root").digest()


def _signer(seed: bytes = SEED, name: str = LOG_NAME) -> Signer:
    return Signer(Ed25519PrivateKey.from_private_bytes(seed), name)


def _checkpoint_note(size: int, *signers: Signer) -> str:
    return sign_note(Checkpoint(LOG_NAME, size, ROOT).to_text(), signers)


def test_r_led_4_go_sumdb_note_known_answer_is_reproduced() -> None:
    # Given the Go reference signer key
    signer = Signer.from_key_string(GO_SIGNER_KEY)
    # When its verifier key and a note are produced
    # Then both match the published strings byte for byte, and the note opens
    assert signer.verifier().key_string() == GO_VERIFIER_KEY
    assert signer.key_string() == GO_SIGNER_KEY
    assert sign_note(GO_TEXT, [signer]) == GO_NOTE
    opened = open_note(GO_NOTE, [Verifier.from_key_string(GO_VERIFIER_KEY)])
    assert opened.text == GO_TEXT
    assert opened.verified_by == (signer.verifier(),)


def test_r_led_4_key_id_and_verifier_key_from_a_fixed_seed() -> None:
    # Given a fixed 32-byte seed and the log name
    signer = _signer()
    public = signer.verifier().public_key
    # When the key id and verifier key string are computed
    vkey = signer.verifier().key_string()
    # Then the key id is SHA-256(name || 0x0A || 0x01 || pubkey)[:4]
    expected_id = hashlib.sha256(LOG_NAME.encode() + b"\n\x01" + public).digest()[:4]
    assert key_id(LOG_NAME, public) == signer.key_id == expected_id
    # And the string is name+hex8+base64(0x01||pubkey), which parses back to the same key
    material = base64.b64encode(b"\x01" + public).decode()
    assert vkey == f"{LOG_NAME}+{expected_id.hex()}+{material}"
    assert Verifier.from_key_string(vkey) == signer.verifier()
    # And the signer string round-trips without showing the seed in repr
    assert signer.key_string().startswith(f"PRIVATE+KEY+{LOG_NAME}+{expected_id.hex()}+")
    assert Signer.from_key_string(signer.key_string()).verifier() == signer.verifier()
    assert base64.b64encode(b"\x01" + SEED).decode() not in repr(signer)


@pytest.mark.parametrize(
    "vkey",
    [
        GO_VERIFIER_KEY.replace("c74f20a3", "c74f20a4"),  # key id does not match the key
        GO_VERIFIER_KEY.replace("+ARpc", "+Apc"),  # not 0x01 || 32 bytes
        GO_VERIFIER_KEY.replace("+ARpc", "+Alpc"),  # algorithm byte 0x02, not Ed25519
        GO_VERIFIER_KEY.replace("c74f20a3", "C74F20A3"),  # hex must be lowercase
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_r_led_4_malformed_verifier_keys_are_refused(vkey: str) -> None:
    # Given a mangled verifier key / When it is parsed / Then it is refused as malformed
    with pytest.raises(MalformedNoteError):
        Verifier.from_key_string(vkey)


def test_r_led_4_signed_note_round_trips_with_blank_lines_in_the_text() -> None:
    # Given a text with an empty line inside it, signed by two keys
    text = "first paragraph\n\nsecond paragraph\n"
    a, b = _signer(), _signer(bytes(32), "witness.example/w1")
    note = sign_note(text, [a, b])
    # When it is opened with both keys known
    opened = open_note(note.encode(), [a.verifier(), b.verifier()])
    # Then the text and both signers come back, with the em dash line format
    assert opened.text == text
    assert opened.verified_by == (a.verifier(), b.verifier())
    assert note.splitlines()[-1].startswith("\u2014 witness.example/w1 ")
    assert note.endswith("\n") and "\n\n\u2014 " in note


def test_r_led_4_mutated_note_text_is_refused_as_bad_signature() -> None:
    # Given a checkpoint signed by the log key
    signer = _signer()
    note = _checkpoint_note(41, signer)
    # When one character of the text changes
    mutated = note.replace("\n41\n", "\n42\n")
    # Then opening it raises BadSignatureError
    with pytest.raises(BadSignatureError):
        open_note(mutated, [signer.verifier()])


def test_r_led_4_note_signed_by_an_unknown_key_is_refused() -> None:
    # Given a note signed by a key the verifier does not know
    note = _checkpoint_note(1, _signer(bytes(32)))
    # When it is opened with the log key only / Then UnknownKeyError
    with pytest.raises(UnknownKeyError, match="no signature by a known key"):
        open_note(note, [_signer().verifier()])


def test_r_led_4_signature_sharing_only_the_name_or_only_the_id_is_ignored() -> None:
    # Given a valid signature plus lines that share only the name, or only the key id
    signer = _signer()
    note = _checkpoint_note(7, signer)
    blob = base64.b64encode(b"\xde\xad\xbe\xef" + bytes(64)).decode()
    same_id = base64.b64encode(signer.key_id + bytes(64)).decode()
    extra = f"\u2014 {LOG_NAME} {blob}\n\u2014 other.example/log {same_id}\n"
    # When it is opened / Then the foreign lines are ignored and the log key verifies
    opened = open_note(note + extra, [signer.verifier()])
    assert opened.verified_by == (signer.verifier(),)
    assert len(opened.signatures) == 3


def test_r_led_4_forged_signature_by_a_known_key_is_refused_even_beside_a_good_one() -> None:
    # Given a good note plus a second line with the known name and key id but a bad signature
    signer = _signer()
    forged = base64.b64encode(signer.key_id + bytes(64)).decode()
    note = _checkpoint_note(7, signer) + f"\u2014 {LOG_NAME} {forged}\n"
    # When it is opened / Then BadSignatureError
    with pytest.raises(BadSignatureError):
        open_note(note, [signer.verifier()])


@pytest.mark.parametrize(
    ("note", "reason"),
    [
        ("text\n", "no blank line"),
        ("text\n\n", "at least one signature line"),
        ("text\n\n\u2014 name AAAAAAA=", "end in a newline"),
        ("text\n\n- name AAAAAAAA\n", "em dash"),
        ("text\n\n\u2014 name AAAA\n", "shorter than a key ID"),
        ("text\n\n\u2014 name not*base64\n", "base64"),
        ("text\n\n\u2014 name AAAAAAA\n", "base64"),
        ("text\n\n\u2014 na+me AAAAAAAA\n", "key name"),
        ("text\n\n\u2014  AAAAAAAA\n", "key name"),
        ("text\n\n\u2014 nameAAAAAAAA\n", "no space after the key name"),
        ("te\x07xt\n\n\u2014 name AAAAAAAA\n", "control character"),
        (b"text\xff\n\n" + "\u2014 name AAAAAAAA\n".encode(), "UTF-8"),
        ("text\n\n" + "\u2014 name AAAAAAAA\n" * 101, "more than 100"),
    ],
)
def test_r_led_4_malformed_notes_are_refused(note: str | bytes, reason: str) -> None:
    # Given a note breaking one signed-note format rule
    # When it is opened / Then MalformedNoteError names that rule
    with pytest.raises(MalformedNoteError, match=reason):
        open_note(note, [_signer().verifier()])


def test_r_led_4_sign_note_refuses_text_without_final_newline() -> None:
    # Given a text without its final newline / When signed / Then MalformedNoteError
    with pytest.raises(MalformedNoteError, match="newline"):
        sign_note("no newline", [_signer()])


def test_r_led_4_checkpoint_text_round_trips() -> None:
    # Given a checkpoint with an extension line
    checkpoint = Checkpoint(LOG_NAME, 20852163, ROOT, ("ext one",))
    # When it is written and parsed back
    text = checkpoint.to_text()
    # Then the text is the tlog-checkpoint layout and parses to the same value
    root_b64 = base64.b64encode(ROOT).decode()
    assert text == f"{LOG_NAME}\n20852163\n{root_b64}\next one\n"
    assert parse_checkpoint(text) == checkpoint
    assert parse_checkpoint(f"o\n0\n{root_b64}\n") == Checkpoint("o", 0, ROOT)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("o\n1\n{root}", "ending in newline"),
        ("\n1\n{root}\n", "none empty"),
        ("o\n01\n{root}\n", "leading 0"),
        ("o\n-1\n{root}\n", "leading 0"),
        ("o\n\u0661\n{root}\n", "leading 0"),
        ("o\n18446744073709551616\n{root}\n", "uint64"),
        ("o\n1\n{short}\n", "31 bytes"),
        ("o\n1\n{root_nopad}\n", "canonical base64"),
        ("o\n1\n{root}\n\n", "none empty"),
        ("o\n1\n", "at least three lines"),
    ],
)
def test_r_led_4_strict_checkpoint_parsing_refuses(text: str, reason: str) -> None:
    # Given a checkpoint text breaking one tlog-checkpoint rule
    root = base64.b64encode(ROOT).decode()
    filled = text.format(
        root=root, short=base64.b64encode(ROOT[:31]).decode(), root_nopad=root.rstrip("=")
    )
    # When it is parsed / Then CheckpointError names that rule
    with pytest.raises(CheckpointError, match=reason):
        parse_checkpoint(filled)


def test_r_led_4_open_checkpoint_checks_the_origin() -> None:
    # Given a signed checkpoint of the log
    signer = _signer()
    note = _checkpoint_note(3, signer)
    # When it is opened for its own origin / Then the checkpoint comes back
    checkpoint, _ = open_checkpoint(note, [signer.verifier()], origin=LOG_NAME)
    assert (checkpoint.size, checkpoint.root_hash) == (3, ROOT)
    # When it is opened for another origin / Then CheckpointError
    with pytest.raises(CheckpointError, match="origin"):
        open_checkpoint(note, [signer.verifier()], origin="other.example/log")


def test_r_led_4_key_rotation_is_accepted_when_co_signed_and_old_key_is_retired() -> None:
    # Given checkpoints signed by the old key, one co-signed by old and new, then new only
    old, new = _signer(), _signer(bytes(32))
    history = KeyHistory(old.verifier(), [new.verifier()])
    notes = [
        _checkpoint_note(1, old),
        _checkpoint_note(2, old, new),
        _checkpoint_note(3, new),
    ]
    # When they are walked in log order
    opened = history.open_all(notes)
    # Then all are accepted, the new key is trusted and the old one retired
    assert len(opened) == 3
    assert history.trusted == {new.verifier()}
    assert history.retired == {old.verifier()}


def test_r_led_4_old_key_alone_after_rotation_is_refused() -> None:
    # Given a history that already rotated from old to new
    old, new = _signer(), _signer(bytes(32))
    history = KeyHistory(old.verifier(), [new.verifier()])
    history.open_all([_checkpoint_note(1, old), _checkpoint_note(2, old, new)])
    # When a later checkpoint is signed by the old key only / Then UntrustedKeyError
    with pytest.raises(UntrustedKeyError, match="retired"):
        history.open(_checkpoint_note(3, old))


def test_r_led_4_new_key_alone_before_rotation_is_refused() -> None:
    # Given a history still on the initial key
    old, new = _signer(), _signer(bytes(32))
    history = KeyHistory(old.verifier(), [new.verifier()])
    # When a checkpoint is signed by the successor key only / Then UntrustedKeyError
    with pytest.raises(UntrustedKeyError, match="not yet adopted"):
        history.open(_checkpoint_note(1, new))
    # And nothing changed
    assert history.trusted == {old.verifier()}


def test_r_led_4_note_signature_line_format() -> None:
    # Given a signature / When rendered / Then em dash, space, name, space, base64(id||sig), LF
    line = NoteSignature("n", b"\x00\x01\x02\x03", b"\xff").line()
    assert line == "\u2014 n AAECA/8=\n"
