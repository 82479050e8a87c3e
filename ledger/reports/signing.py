"""The installation's PAdES signature of a report (ETSI EN 319 142-1 baseline B-B, with
pyHanko): a CMS signature (`ETSI.CAdES.detached`, SHA-256, ECDSA P-256) embedding the signing
certificate, added as an incremental update whose byte range covers the whole file, so that a
changed byte anywhere fails validation. The signer is the installation's report key
(`ledger.stores.report_key`); its certificate is the trust root a reader validates against.
"""

from __future__ import annotations

import io
import warnings

from cryptography.hazmat.primitives import serialization
from cryptography.utils import CryptographyDeprecationWarning

from ledger.stores.report_key import ReportIdentity

FIELD = "CellTraceReport"


def sign_pdf(pdf: bytes, identity: ReportIdentity, reason: str, location: str) -> bytes:
    """`pdf` signed by `identity`."""
    with warnings.catch_warnings():
        # pyHanko imports cryptography's DSA support, which cryptography deprecates
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        from asn1crypto import keys, x509
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers
        from pyhanko.sign.fields import SigSeedSubFilter
        from pyhanko_certvalidator.registry import SimpleCertificateStore

    certificate = x509.Certificate.load(
        identity.certificate.public_bytes(serialization.Encoding.DER)
    )
    key = keys.PrivateKeyInfo.load(
        identity.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    signer = signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=key,
        cert_registry=SimpleCertificateStore(),  # type: ignore[no-untyped-call]
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    signed: io.BytesIO = signers.sign_pdf(writer, meta, signer=signer)
    return signed.getvalue()
