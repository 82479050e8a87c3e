"""Signing keys anywhere (CELLTRACE_KEYS_DIR, CELLTRACE_LOG_KEY, CELLTRACE_LABEL_KEY), optionally
passphrase-protected; every refusal names the file and the setting to change."""

from __future__ import annotations

from pathlib import Path

import pytest

from label_printing.errors import LabelKeyError
from label_printing.signing import load_label_signer
from ledger.config import Settings
from ledger.errors import InvalidInput
from ledger.stores.keys import KeyFile


def test_key_settings_default_to_the_data_dir_and_can_point_anywhere(tmp_path: Path) -> None:
    default = Settings.from_env({"CELLTRACE_DATA_DIR": str(tmp_path / "data")})
    assert default.keys_dir == tmp_path / "data" / "keys"
    assert default.log_key.path == tmp_path / "data" / "keys" / "log.key"
    assert default.label_key.path == tmp_path / "data" / "keys" / "label.key"
    moved = Settings.from_env(
        {
            "CELLTRACE_DATA_DIR": str(tmp_path / "data"),
            "CELLTRACE_KEYS_DIR": str(tmp_path / "vault"),
            "CELLTRACE_LABEL_KEY": str(tmp_path / "hsm-export" / "labels.pem"),
        }
    )
    assert moved.log_key.path == tmp_path / "vault" / "log.key"
    assert moved.label_key.path == tmp_path / "hsm-export" / "labels.pem"


def test_a_passphrase_protected_label_key_signs_labels(tmp_path: Path) -> None:
    # Given an encrypted label key named by CELLTRACE_LABEL_KEY
    key = KeyFile(tmp_path / "labels.pem", passphrase="s3cret label pass")
    created = key.create()
    settings = Settings.from_env(
        {
            "CELLTRACE_DATA_DIR": str(tmp_path / "data"),
            "CELLTRACE_LABEL_KEY": str(key.path),
            "CELLTRACE_LABEL_KEY_PASSPHRASE": "s3cret label pass",
        }
    )
    # When label printing loads it, Then it is that key
    signer = load_label_signer(settings)
    assert signer.verifier().public_key == created.public_key().public_bytes_raw()


def test_a_wrong_label_key_passphrase_names_the_setting(tmp_path: Path) -> None:
    key = KeyFile(tmp_path / "labels.pem", passphrase="s3cret label pass")
    key.create()
    settings = Settings.from_env(
        {
            "CELLTRACE_LABEL_KEY": str(key.path),
            "CELLTRACE_LABEL_KEY_PASSPHRASE": "guess",
        }
    )
    with pytest.raises(LabelKeyError, match="CELLTRACE_LABEL_KEY_PASSPHRASE does not open"):
        load_label_signer(settings)


def test_a_passphrase_for_an_unencrypted_key_is_refused(tmp_path: Path) -> None:
    KeyFile(tmp_path / "log.key").create()
    key = KeyFile(tmp_path / "log.key", "x", "log signing key", "", "CELLTRACE_LOG_KEY_PASSPHRASE")
    with pytest.raises(
        InvalidInput, match="has no passphrase, but one is set; unset CELLTRACE_LOG"
    ):
        key.load()


def test_a_file_that_is_not_a_key_says_restore_it(tmp_path: Path) -> None:
    (tmp_path / "log.key").write_text("not a key")
    with pytest.raises(InvalidInput, match="is not a PEM private key; restore"):
        KeyFile(tmp_path / "log.key", what="log signing key").load()
