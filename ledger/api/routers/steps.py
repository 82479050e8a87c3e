"""The step registry as the API serves it (R-PPL-2, R-LED-5, R-PPL-4): every step, the roles
that record it, the training it needs, the signature meaning, whether the signer re-enters their
password and who signs second - the table QA approves (`celltrace steps`, `docs/steps.md`)."""

from __future__ import annotations

from pydantic import BaseModel

from ledger.api.access import Read, reads
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS
from ledger.commands.registry import STEPS

router = Routes(prefix="/steps", tags=["people"], responses=ERRORS)


class StepOut(BaseModel):
    step: str
    roles: list[str]
    training: str
    what: str
    meaning: str
    signed: bool
    second_person: str


@router.get("", response_model=list[StepOut], dependencies=[reads(Read.STEPS)])
def list_steps() -> list[StepOut]:
    """Every step of the registry, in the order QA reads it."""
    return [
        StepOut(
            step=rule.key,
            roles=[role.value for role in rule.roles],
            training=rule.training,
            what=rule.summary,
            meaning=rule.meanings or rule.meaning.value,
            signed=rule.signed,
            second_person=rule.second,
        )
        for rule in STEPS.values()
    ]
