"""Attribution of every event (R-LED-2): who, in which role, with what meaning, and when.

The application opens a command context with a `Stamp`; `LedgerAggregate` puts that stamp on
every event it triggers, so attribution is done once here rather than per event. The server
time comes from the application's clock (injected), never from the domain.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Transcoding

from ledger.domain.copying import copy_state
from ledger.errors import RuleViolation, Violation
from ledger.item_effects import Shown

E = TypeVar("E", bound=StrEnum)
NOTHING_SHOWN = Shown()


class Meaning(StrEnum):
    """The meaning of an electronic signature (R-LED-2, R-LED-5)."""

    PERFORMED = "performed"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    RELEASED = "released"
    WITNESSED = "witnessed"


@dataclass(frozen=True)
class Cosign:
    """The second person of a two-person step, who signed it too (R-PPL-4, R-LED-5)."""

    person: str
    role: str
    meaning: Meaning


@dataclass(frozen=True)
class Stamp:
    """Who recorded an event, in which role, with what meaning, and when (UTC); whether the
    signer re-entered their password for it (a signed decision, R-LED-5) and who signed it
    second (R-PPL-4)."""

    actor_id: str
    actor_role: str
    meaning: Meaning
    recorded_at: datetime
    client_time: datetime | None = None
    reauthenticated: bool = False
    cosign: Cosign | None = None

    def __post_init__(self) -> None:
        if self.recorded_at.utcoffset() is None:
            raise ValueError("Stamp.recorded_at must be timezone-aware (UTC)")
        if self.client_time is not None and self.client_time.utcoffset() is None:
            raise ValueError("Stamp.client_time must be timezone-aware")


class StampAsDict(Transcoding):
    """Stores a Stamp as a plain JSON object."""

    type = Stamp
    name = "celltrace_stamp"

    def encode(self, obj: Stamp) -> dict[str, Any]:
        encoded: dict[str, Any] = {
            "actor_id": obj.actor_id,
            "actor_role": obj.actor_role,
            "meaning": obj.meaning.value,
            "recorded_at": obj.recorded_at,
            "client_time": obj.client_time,
        }
        # Written only when set, so the events of other steps keep the shape they always had.
        if obj.reauthenticated:
            encoded["reauthenticated"] = True
        if obj.cosign is not None:
            c = obj.cosign
            encoded["cosign"] = {"person": c.person, "role": c.role, "meaning": c.meaning.value}
        return encoded

    def decode(self, data: dict[str, Any]) -> Stamp:
        cosign = data.get("cosign")
        return Stamp(
            actor_id=data["actor_id"],
            actor_role=data["actor_role"],
            meaning=Meaning(data["meaning"]),
            recorded_at=data["recorded_at"],
            client_time=data["client_time"],
            reauthenticated=bool(data.get("reauthenticated", False)),
            cosign=(
                Cosign(cosign["person"], cosign["role"], Meaning(cosign["meaning"]))
                if cosign
                else None
            ),
        )


class DateAsISO(Transcoding):
    """Stores a calendar date (expiry, training validity) as YYYY-MM-DD."""

    type = date
    name = "celltrace_date"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


_current_stamp: ContextVar[Stamp | None] = ContextVar("celltrace_stamp", default=None)


class UnattributedEventError(RuntimeError):
    """An event was triggered outside a command context (a programming error)."""


@contextmanager
def stamped(stamp: Stamp) -> Iterator[Stamp]:
    """Attribute every event triggered inside the block to `stamp`."""
    token = _current_stamp.set(stamp)
    try:
        yield stamp
    finally:
        _current_stamp.reset(token)


def current_stamp() -> Stamp:
    stamp = _current_stamp.get()
    if stamp is None:
        raise UnattributedEventError(
            "every ledger event must be attributable (R-LED-2): trigger events only inside "
            "CellTraceLedger.command(...) or ledger.domain.base.stamped(...)"
        )
    return stamp


class LedgerAggregate(Aggregate):
    """Base aggregate: every event carries the command's Stamp and its server time. Each
    aggregate also knows what the items view shows for it (`shown`: status and holds, from
    `ledger.item_effects`), which the step registry's preconditions are checked against."""

    class Event(Aggregate.Event):
        stamp: Stamp

        def mutate(self, aggregate: Any) -> Any:
            mutated = super().mutate(aggregate)
            if isinstance(mutated, LedgerAggregate):
                mutated.__dict__["_shown"] = mutated.shown.after(self)
            return mutated

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        """The copy a command gets of a cached aggregate: the same as `copy.deepcopy`, sharing
        the values that cannot change (`ledger.domain.copying`)."""
        return copy_state(self, memo)

    @property
    def shown(self) -> Shown:
        """The status and holds the items view shows for this item after its events."""
        shown: Shown = self.__dict__.get("_shown", NOTHING_SHOWN)
        return shown

    class Created(Event, Aggregate.Created):
        pass

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        stamp = current_stamp()
        kwargs.setdefault("stamp", stamp)
        kwargs.setdefault("timestamp", stamp.recorded_at)
        super().trigger_event(event_class, **kwargs)

    @classmethod
    def _create(
        cls,
        event_class: type[Any],
        *,
        id: UUID | None = None,
        **kwargs: Any,
    ) -> Any:
        stamp = current_stamp()
        kwargs.setdefault("stamp", stamp)
        kwargs.setdefault("timestamp", stamp.recorded_at)
        return super()._create(event_class, id=id, **kwargs)


def enum_problems(kind: type[E], value: str, rule: str, what: str) -> list[Violation]:
    """A refusal under `rule` when `value` names no member of `kind`, listing the choices."""
    if value in {m.value for m in kind}:
        return []
    allowed = ", ".join(m.value for m in kind)
    return [
        Violation.of(
            rule,
            "{what:term} {value!r} is unknown; use one of: {allowed}",
            what=what,
            value=value,
            allowed=allowed,
        )
    ]


def parse_enums(kind: type[E], values: Iterable[str], rule: str, what: str) -> list[E]:
    """The members of `kind` named by `values`, or one refusal naming every unknown value."""
    names = list(values)
    problems = [p for v in names for p in enum_problems(kind, v, rule, what)]
    if problems:
        raise RuleViolation(problems)
    return [kind(v) for v in names]


def parse_enum(kind: type[E], value: str, rule: str, what: str) -> E:
    """The member of `kind` named `value`, or a refusal under `rule` listing the choices."""
    (member,) = parse_enums(kind, [value], rule, what)
    return member
