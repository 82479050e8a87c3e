"""The site pharmacy: storing received vials in a place, dispensing a vial for a subject (the
ledger allocates a blinded study's kit), and a blinded study's signed randomisation list
(R-TRC-2, R-QC-3, R-SHP-3, R-CLN-2, R-CLN-5, R-LED-5)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ledger.api.deps import Context, CurrentActor
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS, Receipt, Signature, receipt
from ledger.api.step_docs import records

router = Routes(tags=["pharmacy"], responses=ERRORS)


class StoreIn(BaseModel):
    vials: list[str] = Field(min_length=1, max_length=500, description="Vials of this shipment")
    place: str = Field(
        min_length=1, max_length=200, examples=["Pharmacy freezer F2 (-80 C)/rack 3/box 1"]
    )
    unit_c: float = Field(description="The storage unit's temperature, degrees C", examples=[-80])
    storage_unit: str | None = Field(
        default=None,
        max_length=200,
        examples=["UNT-F01-26-000001-X"],
        description="The monitored storage unit (scanned from its label) the place is in; "
        "required once the site has registered its units (R-SHP-5)",
    )


class DispenseIn(BaseModel):
    place: str = Field(min_length=1, max_length=200, examples=["Ward 5 treatment room"])
    vial: str | None = Field(
        default=None,
        max_length=200,
        description="The scanned vial; leave out for a blinded study (the ledger allocates)",
    )


class DispensedOut(Receipt):
    vial: str = Field(description="The vial dispensed for the subject")


class RandomisationIn(BaseModel):
    arms: list[str] = Field(
        min_length=1, max_length=10000, examples=[["active", "placebo", "placebo", "active"]]
    )
    reference: str = Field(min_length=1, max_length=200, examples=["RL-EV-02 v1"])
    signature: Signature


@router.post(
    "/shipments/{code}/storage", response_model=Receipt, openapi_extra=records("pharmacy.store")
)
def store(ctx: Context, actor: CurrentActor, code: str, body: StoreIn) -> Receipt:
    """Put re-inspected vials in a storage place (a move if stored, a return if dispensed and
    not thawed); the unit must be within the vials' storage range (R-TRC-2, R-QC-3, R-SHP-3)."""
    return receipt(
        ctx.ledger.store_vials(
            actor, code, body.vials, body.place, body.unit_c, body.storage_unit or None
        )
    )


@router.post(
    "/patients/{code}/dispense",
    response_model=DispensedOut,
    openapi_extra=records("pharmacy.dispense"),
)
def dispense(ctx: Context, actor: CurrentActor, code: str, body: DispenseIn) -> DispensedOut:
    """Dispense a stored, released vial for the subject; for a blinded study name no vial:
    the ledger picks the kit of the subject's randomisation arm (R-CLN-2)."""
    vial, r = ctx.ledger.dispense(actor, code, body.place, body.vial or None)
    return DispensedOut(vial=vial, notification_id=r.notification_id, events=r.events)


@router.post(
    "/studies/{code}/randomisation",
    response_model=Receipt,
    openapi_extra=records("pharmacy.randomisation"),
)
def randomisation(ctx: Context, actor: CurrentActor, code: str, body: RandomisationIn) -> Receipt:
    """Load or extend a blinded study's randomisation list, signed (R-CLN-5, R-LED-5); it
    stays restricted: no read shows it."""
    actor = body.signature.of(actor)
    return receipt(ctx.ledger.load_randomisation(actor, code, body.arms, body.reference))
