"""Label checks for scanners and the QR landing page (R-ID-2): is this label ours, untampered?"""

from __future__ import annotations

from pydantic import BaseModel, Field

from label_printing.payload import verify_scan
from label_printing.signing import label_verifier
from ledger.api.access import Read, reads
from ledger.api.deps import Context
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS

router = Routes(prefix="/labels", tags=["labels"], responses=ERRORS)


class ScanIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000, description="Everything the scanner read")


class VerifiedOut(BaseModel):
    code: str
    item_type: str
    lot: str | None
    expiry: str | None
    autologous_for: str | None
    key: str


@router.post(
    "/verify",
    response_model=VerifiedOut,
    summary="Verify a scanned label",
    dependencies=[reads(Read.PUBLIC)],
)
def verify_label(ctx: Context, body: ScanIn) -> VerifiedOut:
    """Check a scanned QR text against the published label key; refuses (422, R-ID-2 or
    R-ID-1) anything not ours, signed by an unknown key, tampered, or with a bad code."""
    label = verify_scan(body.text, [label_verifier(ctx.settings)])
    return VerifiedOut(
        code=str(label.code),
        item_type=label.item_type.label,
        lot=None if label.lot is None else str(label.lot),
        expiry=None if label.expiry is None else str(label.expiry),
        autologous_for=None if label.autologous is None else str(label.autologous),
        key=label.key.key_string(),
    )
