"""Monitored storage units (R-SHP-5): registering a site pharmacy's or the manufacturer's
freezer, refrigerator or LN2 tank, its logger uploads (an excursion holds every item that was
in it meanwhile), QA's assessment, what it holds now, and the temperature record of a unit or a
shipment pictured against its allowed band (SVG, in the reader's language)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ledger.api.access import Read, reads
from ledger.api.deps import Context, CurrentActor
from ledger.api.pages import temperature_svg
from ledger.api.pages.i18n import language
from ledger.api.routers.shipments import (
    AssessmentIn,
    LoggerFile,
    LoggerIn,
    LoggerSerial,
    RangeOut,
    logger_text_of,
)
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS, Created, Receipt, receipt
from ledger.api.step_docs import records
from ledger.application import Actor
from ledger.domain.product_vial import TemperatureRange

router = Routes(tags=["storage units"], responses=ERRORS)


class UnitIn(BaseModel):
    name: str = Field(
        min_length=1, max_length=120, examples=["Pharmacy freezer F2"], description="As labelled"
    )
    site: str | None = Field(
        default=None,
        max_length=200,
        examples=["SIT-F01-26-000001-3"],
        description="The site it stands at; leave out for a unit of the manufacturer",
    )
    kind: str = Field(min_length=1, max_length=120, examples=["-80 C freezer"])
    min_c: float = Field(ge=-273, le=100, examples=[-90], description="Lowest allowed, degrees C")
    max_c: float = Field(ge=-273, le=100, examples=[-60], description="Highest allowed, degrees C")
    logger_interval_minutes: int = Field(
        ge=1,
        le=1440,
        examples=[15],
        description="The interval its logger records at: a stretch without a reading longer "
        "than twice it is an excursion (R-SHP-4)",
    )


class PutIn(BaseModel):
    vials: list[str] = Field(
        min_length=1, max_length=500, examples=[["PVL-F01-26-000006-F"]], description="Scanned"
    )
    place: str = Field(min_length=1, max_length=200, examples=["rack 2/box 4"])


class UnitLoggerOut(Receipt):
    held: list[str] = Field(
        description="The items an excursion put on hold: every item in the unit during it, "
        "until QA assesses it (R-SHP-5)"
    )


class StayOut(BaseModel):
    item: str
    place: str
    since: datetime


class ExcursionOut(BaseModel):
    number: int
    rule: str
    reason: str
    start: datetime
    end: datetime
    items: list[str]


class UnitOut(BaseModel):
    code: str
    name: str
    site: str | None
    kind: str
    allowed: RangeOut
    logger_interval_minutes: int
    readings: int
    last_reading: datetime | None
    contents: list[StayOut] = Field(description="What is in the unit now")
    excursion: ExcursionOut | None = Field(description="The excursion awaiting assessment")
    record_problems: list[str] = Field(description="Why the temperature record is not current")


@router.post(
    "/storage-units",
    response_model=Created,
    status_code=201,
    summary="Register a storage unit",
    openapi_extra=records("storage.register"),
)
def register(ctx: Context, actor: CurrentActor, body: UnitIn) -> Created:
    """A monitored freezer, refrigerator or LN2 tank at a site, or (no site) at the
    manufacturer. A site that registered units keeps its stock only in them (R-SHP-5); bank
    vials enter a manufacturer's unit when its code is given as their tank."""
    band = TemperatureRange(min_c=body.min_c, max_c=body.max_c)
    code, r = ctx.ledger.register_storage_unit(
        actor, body.name, body.site, body.kind, band, body.logger_interval_minutes
    )
    return Created(code=code, notification_id=r.notification_id, events=r.events)


@router.get(
    "/storage-units/{code}",
    response_model=UnitOut,
    summary="A storage unit",
    dependencies=[reads(Read.HISTORY)],
)
def unit(ctx: Context, request: Request, code: str) -> UnitOut:
    """The unit, its allowed range, what it holds now, its excursion awaiting assessment and
    whether its temperature record is current."""
    found = ctx.ledger.get_storage_unit(code)
    excursion = found.excursion
    return UnitOut(
        code=found.code,
        name=found.name,
        site=found.site,
        kind=found.kind,
        allowed=RangeOut(**found.band),
        logger_interval_minutes=found.logger_interval_minutes,
        readings=found.readings,
        last_reading=found.last_reading,
        contents=[
            StayOut(item=s["item"], place=s["place"], since=s["since"])
            for s in found.stays
            if s["until"] is None
        ],
        excursion=ExcursionOut(**excursion) if excursion else None,
        record_problems=[p.render(language(request)) for p in found.record_problems(ctx.clock())],
    )


@router.post(
    "/storage-units/{code}/contents",
    response_model=Receipt,
    summary="Put vials into a manufacturer's unit",
    openapi_extra=records("storage.put"),
)
def put(ctx: Context, actor: CurrentActor, code: str, body: PutIn) -> Receipt:
    """Product vials at the manufacturer (filled, retained samples, returned; not shipped) go
    into one of its units at a place; vials in another unit move. The unit must allow only
    temperatures within the vials' storage range and have no excursion awaiting assessment
    (R-SHP-5). A vial leaves its unit when shipped or destroyed."""
    return receipt(ctx.ledger.put_in_unit(actor, code, body.vials, body.place))


@router.post(
    "/storage-units/{code}/logger",
    response_model=UnitLoggerOut,
    summary="Unit logger readings (CSV text)",
    openapi_extra=records("storage.logger"),
)
def logger_text(ctx: Context, actor: CurrentActor, code: str, body: LoggerIn) -> UnitLoggerOut:
    """The unit logger's CSV export as text. A malformed line refuses the whole file (422,
    naming the line); readings outside the range, or a gap longer than twice the interval,
    hold every item that was in the unit meanwhile (R-SHP-5)."""
    return _logged(ctx, actor, code, body.logger, body.csv)


@router.post(
    "/storage-units/{code}/logger/file",
    response_model=UnitLoggerOut,
    summary="Unit logger readings (CSV file upload)",
    openapi_extra=records("storage.logger"),
)
def logger_file(
    ctx: Context,
    actor: CurrentActor,
    code: str,
    logger: LoggerSerial,
    file: LoggerFile,
) -> UnitLoggerOut:
    """The same as `POST /storage-units/{code}/logger`, as `multipart/form-data`."""
    return _logged(ctx, actor, code, logger, logger_text_of(file))


@router.post(
    "/storage-units/{code}/excursion-assessment",
    response_model=Receipt,
    summary="Assess a unit's excursion",
    openapi_extra=records("storage.assess_excursion"),
)
def assess(ctx: Context, actor: CurrentActor, code: str, body: AssessmentIn) -> Receipt:
    """QA's assessment of the unit's excursion: acceptable lifts the holds it put, otherwise
    the items stay quarantined (R-SHP-5)."""
    return receipt(
        ctx.ledger.assess_unit_excursion(actor, code, body.acceptable, body.reason, body.report_ref)
    )


SVG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/svg+xml": {}}, "description": "The picture"}
}


@router.get(
    "/storage-units/{code}/temperatures.svg",
    summary="A unit's temperature record, pictured",
    responses=SVG,
    dependencies=[reads(Read.HISTORY)],
)
def unit_picture(ctx: Context, request: Request, code: str) -> Response:
    """Every reading against the allowed band, with gaps and excursions marked (R-SHP-5), in
    the reader's language (`?lang=zh` or the language cookie)."""
    return _picture(ctx, request, code)


@router.get(
    "/shipments/{code}/temperatures.svg",
    summary="A shipment's temperature record, pictured",
    responses=SVG,
    dependencies=[reads(Read.HISTORY)],
)
def shipment_picture(ctx: Context, request: Request, code: str) -> Response:
    """Every reading from dispatch to receipt against the required band, with gaps and
    excursions marked (R-SHP-2, R-SHP-4): what the QP looks at before releasing."""
    return _picture(ctx, request, code)


def _logged(ctx: Context, actor: Actor, code: str, logger: str, text: str) -> UnitLoggerOut:
    held, r = ctx.ledger.upload_unit_logger(actor, code, logger, text)
    return UnitLoggerOut(held=held, notification_id=r.notification_id, events=r.events)


def _picture(ctx: Context, request: Request, code: str) -> Response:
    svg = temperature_svg.render(ctx.ledger.temperature_record(code), language(request))
    return Response(svg, media_type="image/svg+xml")
