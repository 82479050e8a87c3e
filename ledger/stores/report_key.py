"""The installation's report signing identity (docs/reports.md): an ECDSA P-256 key and its
self-signed X.509 certificate, beside the log and label keys in the keys folder.

    report.key   the private key, PEM PKCS#8 (encrypted with CELLTRACE_REPORT_KEY_PASSPHRASE
                 when set), mode 0600
    report.crt   its certificate, PEM, mode 0600; published as `GET /api/v1/reports/certificate`
                 and `celltrace report certificate`, so that a reader can trust the PAdES
                 signature of every report (`pyhanko sign validate --trust report.crt`)

P-256 rather than Ed25519 (the log's and labels' algorithm): PDF readers and PAdES validators
accept ECDSA signatures everywhere, Ed25519 ones rarely. `celltrace init` creates both files; a
ledger initialised before reports existed gets them on first use (`ensure_identity`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ledger.errors import InvalidInput
from ledger.stores.keys import KeyFile

if TYPE_CHECKING:
    from ledger.config import Settings

#: How long a new certificate is valid: reports are kept for years and checked offline.
VALID_DAYS = 3650


@dataclass(frozen=True)
class ReportIdentity:
    """The key that signs reports and its certificate; `created` when made by this call."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    created: bool = False

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def fingerprint(self) -> str:
        """SHA-256 of the certificate's DER bytes, as pyhanko and browsers show it."""
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        return hashlib.sha256(der).hexdigest()

    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()


def installation_identity(settings: Settings) -> ReportIdentity:
    """The identity of this installation (`ensure_identity` on the configured files): its
    certificate names the log origin and the facility."""
    return ensure_identity(
        settings.report_key,
        settings.report_certificate,
        f"CellTrace report signing - {settings.origin}",
        settings.facility,
        datetime.now(UTC),
    )


def load_identity(key_file: KeyFile, certificate: Path) -> ReportIdentity:
    """The report signing key and certificate, or InvalidInput naming the file and what to do."""
    key = _ec_key(key_file)
    try:
        cert = x509.load_pem_x509_certificate(certificate.read_bytes())
    except FileNotFoundError:
        raise InvalidInput(
            f"there is no report signing certificate at {certificate} beside {key_file.path}; "
            "restore it from the backup of the keys folder (every report signed so far names "
            "it)"
        ) from None
    except (OSError, ValueError) as exc:
        raise InvalidInput(
            f"cannot read the report signing certificate {certificate}: {exc}"
        ) from None
    if cert.public_key() != key.public_key():
        raise InvalidInput(
            f"the certificate {certificate} is not the certificate of {key_file.path}; restore "
            "both files of the keys folder from the same backup"
        )
    return ReportIdentity(key, cert)


def ensure_identity(
    key_file: KeyFile, certificate: Path, common_name: str, organisation: str, now: datetime
) -> ReportIdentity:
    """The report signing identity, creating what is missing: the key (mode 0600) and its
    self-signed certificate. A key without its certificate gets one; an existing certificate is
    never replaced."""
    created = False
    if not key_file.exists():
        try:
            key_file.write(ec.generate_private_key(ec.SECP256R1()))
            created = True
        except FileExistsError:
            pass  # another process created it just now: use that one
    if not certificate.exists():
        cert = self_signed(_ec_key(key_file), common_name, organisation, now)
        try:
            fd = os.open(certificate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(cert.public_bytes(serialization.Encoding.PEM))
            created = True
    found = load_identity(key_file, certificate)
    return ReportIdentity(found.key, found.certificate, created)


def self_signed(
    key: ec.EllipticCurvePrivateKey, common_name: str, organisation: str, now: datetime
) -> x509.Certificate:
    """A certificate for signing documents only: not a CA, key usage digital signature and
    non-repudiation (content commitment), as PAdES validators expect of a signer."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _ec_key(key_file: KeyFile) -> ec.EllipticCurvePrivateKey:
    key = key_file.load_private()
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise InvalidInput(
            f"{key_file.path} does not hold an ECDSA P-256 private key; restore the report "
            "signing key from the backup of the keys folder"
        )
    return key
