"""Signing keys as PEM files readable by the owner only (PKCS#8, optionally encrypted with a
passphrase): Ed25519 for the log and the labels, and the report key (ECDSA P-256,
`ledger.stores.report_key`); where they live is configured (`Settings.log_key`,
`Settings.label_key`, `Settings.report_key`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from ledger.errors import InvalidInput

LOG_KEY = "log.key"
LABEL_KEY = "label.key"
REPORT_KEY = "report.key"


@dataclass(frozen=True)
class KeyFile:
    """Where one signing key lives, the passphrase that opens it (if any) and the settings
    that choose them, so every refusal can name what to change."""

    path: Path
    passphrase: str | None = field(default=None, repr=False)
    what: str = "signing key"
    path_setting: str = "CELLTRACE_KEYS_DIR"
    passphrase_setting: str = ""

    def exists(self) -> bool:
        return self.path.exists()

    def load(self) -> Ed25519PrivateKey:
        """The key, or InvalidInput naming the file, the setting and what to do."""
        key = self.load_private()
        if not isinstance(key, Ed25519PrivateKey):
            raise InvalidInput(f"{self.path} does not hold an Ed25519 private key")
        return key

    def load_private(self) -> PrivateKeyTypes:
        """The key whatever its algorithm, or InvalidInput as `load`."""
        try:
            pem = self.path.read_bytes()
        except FileNotFoundError:
            raise InvalidInput(
                f"there is no {self.what} at {self.path}; copy the ledger's key there or set "
                f"{self.path_setting} (`celltrace init` creates it for a new ledger)"
            ) from None
        except OSError as exc:
            raise InvalidInput(f"cannot read the {self.what} {self.path}: {exc}") from None
        return self._parse(pem)

    def load_or_create(self) -> Ed25519PrivateKey:
        """Load the key, creating it (mode 0600, folder 0700) on first use."""
        if self.path.exists():
            return self.load()
        return self.create()

    def create(self) -> Ed25519PrivateKey:
        """Write a new key; encrypted with the passphrase when one is set."""
        key = Ed25519PrivateKey.generate()
        self.write(key)
        return key

    def write(self, key: PrivateKeyTypes) -> None:
        """Write `key` as a new file (never over an existing one), mode 0600 in a 0700 folder;
        FileExistsError when the file is already there."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(self.path.parent, 0o700)
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(self.passphrase.encode())
            if self.passphrase
            else serialization.NoEncryption()
        )
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)

    def sibling(self, name: str, what: str) -> KeyFile:
        """Another key beside this one, opened with the same passphrase (key rotation)."""
        return KeyFile(
            self.path.with_name(name),
            self.passphrase,
            what,
            self.path_setting,
            self.passphrase_setting,
        )

    def _parse(self, pem: bytes) -> PrivateKeyTypes:
        secret = self.passphrase.encode() if self.passphrase else None
        hint = f"set {self.passphrase_setting}" if self.passphrase_setting else "set its passphrase"
        try:
            key = serialization.load_pem_private_key(pem, password=secret)
        except TypeError:
            if secret is None:
                raise InvalidInput(
                    f"the {self.what} {self.path} is protected by a passphrase; {hint}"
                ) from None
            raise InvalidInput(
                f"the {self.what} {self.path} has no passphrase, but one is set; unset "
                f"{self.passphrase_setting or 'the passphrase'}"
            ) from None
        except ValueError:
            if secret is not None:
                raise InvalidInput(
                    f"the passphrase in {self.passphrase_setting or 'the settings'} does not "
                    f"open the {self.what} {self.path}; {hint} to the key's passphrase"
                ) from None
            raise InvalidInput(
                f"{self.path} is not a PEM private key; restore the {self.what} from its "
                "backup rather than creating a new one"
            ) from None
        return key


def load_or_create(path: Path) -> Ed25519PrivateKey:
    """Load the unencrypted key at `path`, creating it (mode 0600) on first use."""
    return KeyFile(path).load_or_create()


def load(path: Path) -> Ed25519PrivateKey:
    """Load the unencrypted key at `path`."""
    return KeyFile(path).load()
