"""The cold chain to a clinical site: shipping vials of certified lots in containers, custody
hand-offs, temperature-logger files with excursion quarantine and its assessment, delivery, the
site's receipt re-inspection and the site QP's signed release (R-SHP-1..3, R-QC-4, R-PPL-3,
R-LED-5)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import File, Form, UploadFile
from pydantic import BaseModel, Field, StringConstraints

from ledger.api.context import ApiContext
from ledger.api.deps import Context, CurrentActor
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS, Created, Receipt, Signature, receipt
from ledger.api.step_docs import records
from ledger.application import Actor
from ledger.domain.temperature_log import parse_logger_csv
from ledger.errors import InvalidInput
from ledger.messages import Sentence

router = Routes(prefix="/shipments", tags=["shipments"], responses=ERRORS)

VialCode = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(max_length=500)]
#: A logger exporting every minute for two weeks writes about 0.7 MB.
MAX_LOGGER_BYTES = 4_000_000
CSV_EXAMPLE = "timestamp,temperature\n2026-03-02T09:00+08:00,-78.5\n2026-03-02T09:15+08:00,-78.1\n"


#: The form fields of a logger file uploaded as `multipart/form-data`.
LoggerSerial = Annotated[str, Form(min_length=1, max_length=60, description="Serial number")]
LoggerFile = Annotated[UploadFile, File(description="The logger's CSV export, UTF-8")]


class ContainerIn(BaseModel):
    vials: list[VialCode] = Field(
        min_length=1,
        max_length=500,
        description="Product-vial codes packed in this container",
        examples=[["PVL-F01-26-000001-J", "PVL-F01-26-000002-H"]],
    )


class ShipmentIn(BaseModel):
    site: str = Field(min_length=1, max_length=200, examples=["SIT-F01-26-000001-3"])
    containers: list[ContainerIn] = Field(min_length=1, max_length=100)
    courier: str = Field(
        min_length=1, max_length=200, examples=["ColdCourier, waybill WB-2026-0117"]
    )
    logger_interval_minutes: int = Field(
        ge=1,
        le=1440,
        examples=[10],
        description="The interval the shipment's temperature logger records at (R-SHP-4): a "
        "stretch without a reading longer than twice it is an excursion",
    )


class ShipmentCreated(Created):
    containers: list[str] = Field(description="The new container codes, in the order given")


class HandOffIn(BaseModel):
    custodian: str = Field(
        min_length=1, max_length=200, description="Person code, or courier and waybill"
    )
    at: datetime | None = Field(
        default=None, description="With its UTC offset; default: now (server clock)"
    )


class LoggerIn(BaseModel):
    logger: str = Field(min_length=1, max_length=60, description="The logger's serial number")
    csv: str = Field(
        min_length=1,
        max_length=MAX_LOGGER_BYTES,
        description="The logger's export: `timestamp,temperature` lines, ISO 8601 times with "
        "their UTC offset, degrees Celsius; a header line is optional",
        examples=[CSV_EXAMPLE],
    )


class ReadingOut(BaseModel):
    at: datetime
    temp_c: float


class RangeOut(BaseModel):
    min_c: float
    max_c: float


class LoggerOut(Receipt):
    readings: int = Field(description="How many readings the file held")
    required: RangeOut = Field(description="The shipment's required temperature range")
    outside: list[ReadingOut] = Field(
        description="The readings outside the range: an excursion quarantines every vial of "
        "the shipment until QA assesses it (R-SHP-2)"
    )


class AssessmentIn(BaseModel):
    acceptable: bool = Field(description="True lifts the quarantine; false keeps it for good")
    reason: str = Field(min_length=1, max_length=2000)
    report_ref: str = Field(min_length=1, max_length=120, examples=["DEV-2026-031"])


class DeliveryIn(BaseModel):
    at: datetime | None = Field(
        default=None, description="With its UTC offset; default: now (server clock)"
    )


class InspectionIn(BaseModel):
    passed: list[VialCode] = Field(max_length=1000, description="Vials that passed re-inspection")
    failed: dict[VialCode, Reason] = Field(
        default_factory=dict,
        max_length=1000,
        description="Vials that failed, each with the reason; vials not named are missing",
        examples=[{"PVL-F01-26-000003-F": "cracked cap"}],
    )


class InspectedOut(Receipt):
    passed: list[str]
    failed: dict[str, str]
    missing: list[str] = Field(description="Vials of the shipment named neither passed nor failed")
    deviation: str = Field(
        default="", description="The deviation missing vials opened (R-QMS-6), or empty"
    )


class ReleaseIn(BaseModel):
    signature: Signature


class ReleasedOut(Receipt):
    released: list[str] = Field(description="The vials now released for use at the site")


@router.post(
    "",
    response_model=ShipmentCreated,
    status_code=201,
    summary="Ship vials to a site",
    openapi_extra=records("shipment.ship"),
)
def ship(ctx: Context, actor: CurrentActor, body: ShipmentIn) -> ShipmentCreated:
    """Pack vials of certified lots into containers for a site; the required range is the one
    every vial tolerates, and the courier is the first custodian (R-SHP-1)."""
    code, containers, r = ctx.ledger.ship_vials(
        actor,
        body.site,
        [c.vials for c in body.containers],
        body.courier,
        body.logger_interval_minutes,
    )
    return ShipmentCreated(
        code=code, containers=containers, notification_id=r.notification_id, events=r.events
    )


@router.post(
    "/{code}/hand-off",
    response_model=Receipt,
    summary="Hand the shipment over",
    openapi_extra=records("shipment.hand_off"),
)
def hand_off(ctx: Context, actor: CurrentActor, code: str, body: HandOffIn) -> Receipt:
    """The next link of the chain of custody (R-SHP-1)."""
    at = body.at or ctx.clock()
    return receipt(ctx.ledger.hand_off_shipment(actor, code, body.custodian, at))


@router.post(
    "/{code}/logger",
    response_model=LoggerOut,
    summary="Logger readings (CSV text)",
    openapi_extra=records("shipment.logger"),
)
def logger_text(ctx: Context, actor: CurrentActor, code: str, body: LoggerIn) -> LoggerOut:
    """The logger's CSV export as text. A malformed line refuses the whole file (422, naming
    the line); readings outside the range quarantine this shipment's vials (R-SHP-2)."""
    return _record_readings(ctx, actor, code, body.logger, body.csv)


@router.post(
    "/{code}/logger/file",
    response_model=LoggerOut,
    summary="Logger readings (CSV file upload)",
    openapi_extra=records("shipment.logger"),
)
def logger_file(
    ctx: Context,
    actor: CurrentActor,
    code: str,
    logger: LoggerSerial,
    file: LoggerFile,
) -> LoggerOut:
    """The same as `POST /shipments/{code}/logger`, with the file uploaded as
    `multipart/form-data`."""
    return _record_readings(ctx, actor, code, logger, logger_text_of(file))


@router.post(
    "/{code}/excursion-assessment",
    response_model=Receipt,
    summary="Assess an excursion",
    openapi_extra=records("shipment.assess_excursion"),
)
def assess(ctx: Context, actor: CurrentActor, code: str, body: AssessmentIn) -> Receipt:
    """QA's assessment of the shipment's excursion: acceptable lifts the quarantine of its
    vials, otherwise they stay quarantined (R-SHP-2)."""
    return receipt(
        ctx.ledger.assess_excursion(actor, code, body.acceptable, body.reason, body.report_ref)
    )


@router.post(
    "/{code}/delivery",
    response_model=Receipt,
    summary="Delivered at the site",
    openapi_extra=records("shipment.deliver"),
)
def deliver(ctx: Context, actor: CurrentActor, code: str, body: DeliveryIn) -> Receipt:
    """The site's pharmacist takes delivery; the chain of custody ends (R-SHP-1)."""
    return receipt(ctx.ledger.deliver_shipment(actor, code, body.at or ctx.clock()))


@router.post(
    "/{code}/receipt-inspection",
    response_model=InspectedOut,
    summary="Receipt re-inspection",
    openapi_extra=records("shipment.inspect_receipt"),
)
def inspect(ctx: Context, actor: CurrentActor, code: str, body: InspectionIn) -> InspectedOut:
    """Each vial passed, failed with its reason, or missing; failed and missing vials go on
    hold for good and may never be used on a subject (R-SHP-3); missing vials open a deviation
    (R-QMS-6)."""
    r = ctx.ledger.inspect_receipt(actor, code, body.passed, body.failed)
    shipment = ctx.ledger.get_shipment(code)
    return InspectedOut(
        passed=list(shipment.passed),
        failed=dict(shipment.failed),
        missing=list(shipment.missing),
        deviation=shipment.discrepancies[-1] if shipment.missing else "",
        notification_id=r.notification_id,
        events=r.events,
    )


@router.post(
    "/{code}/release",
    response_model=ReleasedOut,
    summary="QP release (signed)",
    openapi_extra=records("shipment.qp_release"),
)
def release(ctx: Context, actor: CurrentActor, code: str, body: ReleaseIn) -> ReleasedOut:
    """The site's Qualified Person releases the vials that passed re-inspection, signing with
    their password (R-QC-4, R-PPL-3, R-LED-5)."""
    actor = body.signature.of(actor)
    released, r = ctx.ledger.release_for_use(actor, code)
    return ReleasedOut(released=released, notification_id=r.notification_id, events=r.events)


def logger_text_of(file: UploadFile) -> str:
    """The text of an uploaded logger file, or a clear refusal (too large, not UTF-8)."""
    raw = file.file.read(MAX_LOGGER_BYTES + 1)
    if len(raw) > MAX_LOGGER_BYTES:
        raise InvalidInput(
            Sentence(
                "R-SHP-1: the logger file is larger than {mb} MB; upload it in parts, one per "
                "download from the logger",
                mb=MAX_LOGGER_BYTES // 1_000_000,
            )
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            Sentence("R-SHP-1: the logger file is not UTF-8 text; export it from the logger as CSV")
        ) from None


def _record_readings(ctx: ApiContext, actor: Actor, code: str, logger: str, text: str) -> LoggerOut:
    outside, r = ctx.ledger.upload_logger_file(actor, code, logger, text)
    required = ctx.ledger.get_shipment(code).required
    return LoggerOut(
        readings=len(parse_logger_csv(text)),
        required=RangeOut(min_c=required["min_c"], max_c=required["max_c"]),
        outside=[ReadingOut(at=o["at"], temp_c=o["temp_c"]) for o in outside],
        notification_id=r.notification_id,
        events=r.events,
    )
