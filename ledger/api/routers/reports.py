"""Signed PDF records (docs/reports.md): a lot's batch record and certificate of analysis, a
shipment's QP release certificate, a patient's chain of identity and custody, each signed by
the installation (PAdES) with the signed checkpoint and the proofs of every event it cites;
and the certificate that signs them, public so that anyone can check a report. Each report
served is recorded in the access log with the SHA-256 of the file (R-ACC-2)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Request, Response

from ledger.api.access import Read, may_read, reads, via
from ledger.api.deps import Context
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS
from ledger.application import Actor
from ledger.config import Settings
from ledger.reports.service import generate, record_report
from ledger.reports.sources import Reader, Sources
from ledger.stores.report_key import ReportIdentity, installation_identity

router = Routes(prefix="/reports", tags=["reports"], responses=ERRORS)
PDF_OK: dict[int | str, dict[str, object]] = {
    200: {"content": {"application/pdf": {}}, "description": "The signed PDF"}
}
PEM = "application/x-pem-file"
_log = logging.getLogger(__name__)


@router.get(
    "/certificate",
    responses={200: {"content": {PEM: {}}, "description": "PEM certificate"}},
    dependencies=[reads(Read.PUBLIC)],
    summary="The installation's report signing certificate (PEM)",
)
def get_certificate(ctx: Context) -> Response:
    """The X.509 certificate of the key that signs every report: the trust root to validate
    their signatures (`pyhanko sign validate --trust report-signing.crt --trust-replace`)."""
    identity = _identity(ctx.settings)
    return Response(
        identity.certificate_pem(),
        media_type=PEM,
        headers={"Content-Disposition": 'inline; filename="report-signing.crt"'},
    )


@router.get(
    "/batch-record/{code}", responses=PDF_OK, summary="The signed batch record of a lot (PDF)"
)
def get_batch_record(
    ctx: Context, request: Request, actor: Annotated[Actor, reads(Read.LOT_RECORD)], code: str
) -> Response:
    """Genealogy back to the donors, cell source and banks, materials used, every step with
    its signature, QC results against the specification, OOS, deviations and CAPA,
    disposition and accountability. A placebo lot's only for roles that may open seals."""
    return _report(ctx, request, actor, "batch-record", code)


@router.get(
    "/coa/{code}", responses=PDF_OK, summary="The signed certificate of analysis of a lot (PDF)"
)
def get_coa(
    ctx: Context, request: Request, actor: Annotated[Actor, reads(Read.LOT_RECORD)], code: str
) -> Response:
    """Results against the specification, lot, expiry and QA's certification (R-QC-2); 409
    for a lot not certified."""
    return _report(ctx, request, actor, "coa", code)


@router.get(
    "/qp-release/{code}",
    responses=PDF_OK,
    summary="The signed QP release certificate of a shipment (PDF)",
)
def get_qp_release(
    ctx: Context, request: Request, actor: Annotated[Actor, reads(Read.LOT_RECORD)], code: str
) -> Response:
    """The site QP's signed release for use of a shipment's vials (R-QC-4), with their lots'
    QA certification, the cold chain and the receipt; 409 before the release."""
    return _report(ctx, request, actor, "qp-release", code)


@router.get(
    "/patient/{code}",
    responses=PDF_OK,
    summary="A patient's signed chain of identity and custody (PDF)",
)
def get_patient_report(
    ctx: Context,
    request: Request,
    actor: Annotated[Actor, reads(Read.PATIENT_RECORD)],
    code: str,
) -> Response:
    """Each administration, each vial back to the donor and through every hand-off; no
    identifying data and no treatment arm (R-LED-6, R-ACC-5)."""
    return _report(ctx, request, actor, "patient", code)


def _report(ctx: Context, request: Request, actor: Actor, kind: str, code: str) -> Response:
    ctx.wait_for(ctx.ledger.recorder.max_notification_id())  # a report of all recorded so far
    reader = Reader(actor.person_id, actor.role, may_read(actor.role, Read.SEALED))
    sources = Sources(ctx.ledger, ctx.views_engine, reader)
    signed = generate(kind, code, sources, ctx.log, _identity(ctx.settings), ctx.clock())
    record_report(ctx.access_log, signed, reader, via(request), ctx.clock())
    return Response(
        signed.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{signed.filename}"'},
    )


def _identity(settings: Settings) -> ReportIdentity:
    identity = installation_identity(settings)
    if identity.created:
        _log.warning(
            "Created the installation's report signing key and certificate in %s (this ledger "
            "was initialised before signed reports existed); give readers the certificate: "
            "GET /api/v1/reports/certificate",
            settings.report_certificate.parent,
        )
    return identity
