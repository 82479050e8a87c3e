"""Product accountability (R-QMS-6): retained samples, returns from a site with the
manufacturer's receipt, counts of a lot's and a shipment's vials against the record (a
difference opens a deviation), QA's signed closing of a lot, and the accounts themselves."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ledger.api.access import Read, reads
from ledger.api.deps import Context, CurrentActor
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS, Created, Receipt, Signature, receipt
from ledger.api.step_docs import records
from ledger.commands.accountability import Counted
from ledger.core import Receipt as LedgerReceipt
from ledger.domain.accountability import Account, Reconciliation

router = Routes(tags=["accountability"], responses=ERRORS)

Codes = Field(min_length=1, max_length=500, examples=[["PVL-F01-26-000006-W"]])
Text = Field(min_length=1, max_length=200)
Count = Field(ge=0, le=1_000_000)
Note = Field(default="", max_length=2000)


class RetainIn(BaseModel):
    vials: list[str] = Codes
    place: str = Field(min_length=1, max_length=200, examples=["Retention store RS-1/box 2"])


class ReturnIn(BaseModel):
    vials: list[str] = Codes
    reason: str = Field(min_length=1, max_length=2000, examples=["surplus at study end"])
    courier: str = Field(min_length=1, max_length=200, examples=["ColdCourier WB-77"])


class ReturnReceiptIn(BaseModel):
    received: list[str] = Field(default_factory=list, max_length=500)
    place: str = Field(min_length=1, max_length=200, examples=["Returns cage QA-2"])


class ReturnReceivedOut(Receipt):
    missing: list[str]
    deviation: str = Field(description="The deviation opened for missing vials, or empty")


class LotCountIn(BaseModel):
    retained: int = Count
    in_stock: int = Count
    note: str = Note


class ShipmentCountIn(BaseModel):
    in_stock: int = Count
    note: str = Note


class CloseIn(BaseModel):
    signature: Signature


class AccountOut(BaseModel):
    """Where each vial is, by the record: `numbers` add up to the total (`filled` for a lot,
    `shipped` for a shipment, `returned` for a return) with the vials `unaccounted` for."""

    item: str
    equation: str = Field(examples=["filled 6 = retained 1 + shipped 3 + destroyed 1 + in stock 1"])
    balanced: bool = Field(description="No vial is unaccounted for")
    numbers: dict[str, int]
    vials: dict[str, list[str]]
    unaccounted: list[str]
    pooled_with: str = Field(
        description="A blinded study whose kits are accounted together, both arms (R-ACC-5)"
    )


class ReconciliationOut(BaseModel):
    record: dict[str, int]
    counted: dict[str, int]
    deviation: str = Field(description="The deviation a difference opened, or empty")
    note: str


class CountedOut(BaseModel):
    account: AccountOut
    reconciliations: list[ReconciliationOut]
    discrepancies: dict[str, bool] = Field(
        description="The deviations its discrepancies opened, each with whether it is open"
    )


class CountOut(Receipt):
    account: AccountOut
    deviation: str = Field(description="The deviation the difference opened, or empty")


class LotAccountabilityOut(BaseModel):
    lot: CountedOut
    closed: bool
    shipments: list[CountedOut]
    returns: list[CountedOut]
    open_discrepancies: list[str]


def account_out(account: Account) -> AccountOut:
    return AccountOut(
        item=account.item,
        equation=account.equation(),
        balanced=account.balanced,
        numbers=account.numbers(),
        vials=account.parts,
        unaccounted=account.unaccounted,
        pooled_with=account.pooled_with,
    )


def _counted(counted: Counted) -> CountedOut:
    return CountedOut(
        account=account_out(counted.account),
        reconciliations=[_count(r) for r in counted.reconciliations],
        discrepancies=counted.discrepancies,
    )


def _count_out(account: Account, deviation: str, recorded: LedgerReceipt) -> CountOut:
    return CountOut(
        account=account_out(account),
        deviation=deviation,
        notification_id=recorded.notification_id,
        events=recorded.events,
    )


def _count(reconciliation: Reconciliation) -> ReconciliationOut:
    return ReconciliationOut(**reconciliation)


@router.post(
    "/lots/{code}/retained-samples",
    response_model=Receipt,
    openapi_extra=records("production.retain"),
)
def retain(ctx: Context, actor: CurrentActor, code: str, body: RetainIn) -> Receipt:
    """Keep vials of the lot as its retained samples; they are never shipped (R-QMS-6)."""
    return receipt(ctx.ledger.retain_samples(actor, code, body.vials, body.place))


@router.post(
    "/shipments/{code}/returns",
    response_model=Created,
    status_code=201,
    openapi_extra=records("shipment.return"),
)
def return_vials(ctx: Context, actor: CurrentActor, code: str, body: ReturnIn) -> Created:
    """The site sends vials of the shipment back to the manufacturer as a return shipment of
    their own (RTN-...); they take no further step at the site (R-QMS-6)."""
    back, r = ctx.ledger.return_vials(actor, code, body.vials, body.reason, body.courier)
    return Created(code=back, notification_id=r.notification_id, events=r.events)


@router.post(
    "/returns/{code}/receipt",
    response_model=ReturnReceivedOut,
    openapi_extra=records("shipment.return_receipt"),
)
def receive_return(
    ctx: Context, actor: CurrentActor, code: str, body: ReturnReceiptIn
) -> ReturnReceivedOut:
    """The manufacturer names each vial received back; the others are missing: they are held
    and a deviation is opened for them (R-QMS-6)."""
    missing, deviation, r = ctx.ledger.receive_return(actor, code, body.received, body.place)
    return ReturnReceivedOut(
        missing=missing, deviation=deviation, notification_id=r.notification_id, events=r.events
    )


@router.post(
    "/lots/{code}/reconciliation",
    response_model=CountOut,
    openapi_extra=records("quality.reconcile_lot"),
)
def reconcile_lot(ctx: Context, actor: CurrentActor, code: str, body: LotCountIn) -> CountOut:
    """Count the lot's retained samples and its vials in stock; a count that differs from the
    record opens a deviation, named in the answer (R-QMS-6)."""
    return _count_out(
        *ctx.ledger.reconcile_lot(actor, code, body.retained, body.in_stock, body.note)
    )


@router.post(
    "/shipments/{code}/reconciliation",
    response_model=CountOut,
    openapi_extra=records("pharmacy.reconcile"),
)
def reconcile_shipment(
    ctx: Context, actor: CurrentActor, code: str, body: ShipmentCountIn
) -> CountOut:
    """The site pharmacy counts the shipment's vials in stock at the site (segregated ones
    too); a count that differs from the record opens a deviation (R-QMS-6)."""
    return _count_out(*ctx.ledger.reconcile_shipment(actor, code, body.in_stock, body.note))


@router.post(
    "/lots/{code}/close", response_model=Receipt, openapi_extra=records("quality.close_lot")
)
def close_lot(ctx: Context, actor: CurrentActor, code: str, body: CloseIn) -> Receipt:
    """QA closes the lot, signed, once it is certified or rejected, nothing is left in its
    stock, its last count matches the record, every shipment of its vials was counted at its
    site and every deviation about them is closed (R-QMS-6, R-LED-5)."""
    return receipt(ctx.ledger.close_lot(body.signature.of(actor), code))


@router.get(
    "/lots/{code}/accountability",
    response_model=LotAccountabilityOut,
    summary="A lot's accountability",
    dependencies=[reads(Read.HISTORY)],
)
def lot_accountability(ctx: Context, code: str) -> LotAccountabilityOut:
    """Where every vial of the lot is (filled = retained + shipped + destroyed + in stock),
    with the accounts of the shipments and returns its vials travelled in, their counts and
    the deviations their discrepancies opened (R-QMS-6)."""
    found = ctx.ledger.lot_accountability(code)
    return LotAccountabilityOut(
        lot=_counted(found.lot),
        closed=found.closed,
        shipments=[_counted(s) for s in found.shipments],
        returns=[_counted(r) for r in found.returns.values()],
        open_discrepancies=found.open_discrepancies(),
    )


@router.get(
    "/shipments/{code}/accountability",
    response_model=CountedOut,
    summary="A shipment's accountability",
    dependencies=[reads(Read.HISTORY)],
)
def shipment_accountability(ctx: Context, code: str) -> CountedOut:
    """Where every vial of the shipment is (shipped = administered + returned + destroyed +
    in stock at the site), its counts and the deviations its discrepancies opened
    (R-QMS-6)."""
    return _counted(ctx.ledger.shipment_accountability(code))


class DistributionIn(BaseModel):
    what: str = Field(pattern="^(material|data)$", examples=["material"])
    institution: str = Field(min_length=1, max_length=200, examples=["Provincial Hospital B"])
    project: str = Field(min_length=1, max_length=120, examples=["PRJ-EV-02"])
    reference: str = Field(
        min_length=1, max_length=120, description="The transfer agreement", examples=["MTA-7"]
    )
    signature: Signature


@router.post(
    "/items/{code}/distributions",
    response_model=Receipt,
    tags=["donors"],
    summary="Send donor material or data to another institution or project (signed)",
    openapi_extra=records("donors.distribution"),
)
def distribute(ctx: Context, actor: CurrentActor, code: str, body: DistributionIn) -> Receipt:
    """QA sends the item (material), or its data, to another institution or project, signed,
    only within every donor's consent: sharing, and cross-project or cross-institution use when
    the recipient is another project or institution than the consent names (R-DON-8, R-DON-6,
    R-LED-5). Material sent takes no further step here."""
    return receipt(
        ctx.ledger.distribute(
            body.signature.of(actor),
            code,
            body.what,
            body.institution,
            body.project,
            body.reference,
        )
    )
