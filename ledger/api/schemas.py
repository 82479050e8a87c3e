"""Request and response shapes shared by the routers (shape only: rules live in the domain)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ledger.core import Actor
from ledger.core import Receipt as LedgerReceipt


class Receipt(BaseModel):
    """What every recorded step answers: the notification id, for `?after=` reads."""

    notification_id: int = Field(description="Pass as ?after= to read your own write.")
    events: int


def receipt(value: LedgerReceipt) -> Receipt:
    """The response for what a command produced."""
    return Receipt(notification_id=value.notification_id, events=value.events)


class Created(Receipt):
    code: str = Field(description="The new item's code, e.g. PER-F01-26-000002-B")


class Signature(BaseModel):
    """An electronic signature: the signer re-enters their password; the application checks
    it (R-LED-5). `meaning`, when sent, is the meaning the signer was shown; it must be the
    step's own (see `GET /api/v1/steps`), or the request is refused 422."""

    password: str = Field(min_length=1, max_length=200)
    meaning: str | None = Field(
        default=None, pattern="^(performed|reviewed|approved|released|witnessed)$"
    )

    def of(self, actor: Actor) -> Actor:
        """`actor` signing with this signature."""
        return actor.signed(self.password, self.meaning)


class RecallItemOut(BaseModel):
    code: str
    type: str
    status: str
    location: str | None
    where: str = Field(description="Where it is now: bank place, in transit, site, administered")
    holds: list[dict[str, str]]
    quality: list[str] = Field(
        default_factory=list,
        description="Open quality events: deviations concerning it, its open OOS investigations",
    )


class DoseOut(BaseModel):
    code: str = Field(description="The patient")
    dosed_on: str | None
    vial: str


class RecallListOut(BaseModel):
    """A recall list: every affected item and where it is now, and every patient dosed."""

    root: str
    reason: str
    items: list[RecallItemOut]
    patients: list[DoseOut]


class ErrorViolation(BaseModel):
    rule: str
    message: str


class ErrorBody(BaseModel):
    error: str
    detail: str
    violations: list[ErrorViolation]


ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "Not signed in, or signature refused"},
    403: {
        "model": ErrorBody,
        "description": "Role or training missing (R-PPL-2), or a read the role may not make "
        "(R-ACC-1)",
    },
    404: {"model": ErrorBody, "description": "Unknown item"},
    409: {"model": ErrorBody, "description": "Refused by a GMP rule, or a conflict"},
    422: {"model": ErrorBody, "description": "Impossible input"},
    429: {"model": ErrorBody, "description": "Too many wrong passwords; see Retry-After"},
    503: {"model": ErrorBody, "description": "Read models not caught up yet; retry"},
}


TEXT_OK: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Text"}
}
