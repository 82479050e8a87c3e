"""LedgerCore: what every command shares - attribution (R-LED-2), code issuing (R-ID-1), the
actor's role and training check (R-PPL-2), the signature of a signed decision (R-LED-5) and the
one-transaction save (R-LED-3).

The area mixins in `ledger.commands` build on it; `ledger.application.CellTraceLedger`
composes them into the one write path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording
from eventsourcing.utils import Environment, EnvType

from ledger.commands.registry import step
from ledger.config import LEDGER_NAME, Settings
from ledger.domain.base import (
    Cosign,
    DateAsISO,
    LedgerAggregate,
    Meaning,
    Stamp,
    StampAsDict,
    stamped,
)
from ledger.domain.codes import CodeSequence, item_id, sequence_id
from ledger.domain.deviation import QUALITY_REGISTER_ID, QualityRegister
from ledger.errors import (
    Conflict,
    InvalidInput,
    NotAuthorised,
    NotFound,
    RuleViolation,
    SignatureRefused,
    Throttled,
    Violation,
)
from ledger.identifiers import ItemCode, ItemType, parse_code
from ledger.item_effects import statuses
from ledger.messages import Sentence
from ledger.repository import LedgerRepository
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import CredentialError, Credentials, ThrottledError
from ledger.stores.personal_data import PersonalDataVault
from ledger.stores.sealed import Seals

T = TypeVar("T", bound=Aggregate)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Signing:
    """A signature given with this request: the password the signer re-entered and, when the
    client showed one, the meaning the signer saw (R-LED-5, 21 CFR 11.50)."""

    password: str = field(repr=False)
    meaning: str | None = None
    confirmed: bool = False  # set by LedgerCore.authorise once the password is checked


@dataclass(frozen=True)
class Actor:
    """The signed-in person, the role they act in, their signature when they sign this step
    (R-LED-5) and their device's clock when it was sent (R-LED-2)."""

    person_id: str
    role: str
    signing: Signing | None = field(default=None, compare=False, repr=False)
    device_time: datetime | None = field(default=None, compare=False)
    step: str = field(default="", compare=False)  # the registry step authorised (`authorise`)

    def signed(self, password: str, meaning: str | None = None) -> Actor:
        """This actor signing with the password they re-entered (and the meaning shown)."""
        return replace(self, signing=Signing(password, meaning))

    def at(self, device_time: datetime | None) -> Actor:
        """This actor, with the time their device gave for the step (R-LED-2)."""
        return replace(self, device_time=device_time)


SYSTEM = Actor("SYSTEM", "system")

#: Where a loaded item keeps the step registry's refusal of the step being recorded on it
#: (`LedgerCore.require_status`) until the step is saved (`LedgerCore.record`).
REGISTRY_REFUSAL = "_registry_refusal"


def _check_meaning(signer: Actor, meaning: Meaning) -> None:
    """A signature's meaning, when the client showed one, is the step's (R-LED-5)."""
    claimed = signer.signing.meaning if signer.signing else None
    if claimed is not None and claimed != meaning.value:
        raise InvalidInput(
            Sentence(
                "R-LED-5: {person} signs this step with the meaning {expected}, not {claimed}; "
                "sign again with the meaning the step shows",
                person=signer.person_id,
                expected=meaning.value,
                claimed=claimed,
            )
        )


@dataclass(frozen=True)
class Receipt:
    """What a command produced: the last notification id, for read-your-writes."""

    notification_id: int
    events: int


class _Saving(ProcessingEvent[UUID]):
    """The events of a save: an aggregate's are collected directly (the library checks each
    object against two runtime protocols first, a tenth of a save's CPU time)."""

    def collect_events(self, *objs: Any, **kwargs: Any) -> None:
        for obj in objs:
            if isinstance(obj, Aggregate):
                self.events.extend(obj.collect_events())
                self.aggregates[obj.id] = obj
            else:
                super().collect_events(obj)
        super().collect_events(**kwargs)


class LedgerCore(Application[UUID]):
    """The ledger application's shared machinery over the hash-chained event store."""

    name = LEDGER_NAME
    is_snapshotting_enabled = False

    def __init__(
        self, settings: Settings, *, clock: Clock = utc_now, create_tables: bool | None = None
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._codes: dict[tuple[str, object], tuple[ItemCode, UUID]] = {}
        if settings.database.backend == "sqlite":
            path = settings.database.sqlite_path
            assert path is not None
            path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(env=settings.eventsourcing_env(create_tables=create_tables))

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Persistence is configured by Settings alone: no prefix, nothing read from os.environ
        (so the ledger table is `stored_events` on both backends)."""
        return Environment("", dict(env or {}))

    @cached_property
    def seals(self) -> Seals:
        """Seals of blinded studies, opened with the study keys of the key store (R-ACC-5)."""
        return Seals.open(self.settings)

    @cached_property
    def personal_data(self) -> PersonalDataVault:
        """Identifying data of donors, patients and staff, encrypted per person (R-LED-6)."""
        return PersonalDataVault.open(self.settings)

    @cached_property
    def credentials(self) -> Credentials:
        """The password store, to check the signature of a signed decision (R-LED-5)."""
        return Credentials(create_db_engine(self.settings))

    #: Key-store handles opened on first use (cached properties with an `engine`), closed here.
    KEY_STORES = ("seals", "personal_data", "credentials")

    def close(self) -> None:
        for name in self.KEY_STORES:
            opened = self.__dict__.pop(name, None)
            if opened is not None:
                opened.engine.dispose()
        super().close()

    def construct_repository(self) -> LedgerRepository:
        """The aggregate cache kept current by the ledger head (`ledger.repository`)."""
        size = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return LedgerRepository(
            self.events,
            head=lambda: self.recorder.max_notification_id() or 0,
            cache_maxsize=int(size) if size else None,
        )

    def attempt(self, *, fresh: bool = False) -> AbstractContextManager[None]:
        """One run of a command: what it loads is the state stored when it began
        (`LedgerRepository.attempt`; `fresh` when it runs again after a conflict)."""
        assert isinstance(self.repository, LedgerRepository)
        return self.repository.attempt(fresh=fresh)

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """eventsourcing's `save`, collecting the aggregates' events with `_Saving`."""
        processing_event = _Saving()
        processing_event.collect_events(*objs, **kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # the library's deprecated hook, as it does
        return recordings

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """Save, then cache what was saved: the aggregates with events in this save."""
        recordings = super()._record(processing_event)
        if recordings and isinstance(self.repository, LedgerRepository):
            changed = {r.domain_event.originator_id for r in recordings}
            ids = [r.notification.id for r in recordings]
            saved = processing_event.aggregates.items()
            self.repository.saved(
                [a for i, a in saved if i in changed and isinstance(a, Aggregate)],
                min(ids),
                max(ids),
            )
        return recordings

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(StampAsDict())
        transcoder.register(DateAsISO())

    @contextmanager
    def command(
        self,
        actor: Actor,
        meaning: Meaning | None = None,
        cosign: Cosign | None = None,
    ) -> Iterator[Stamp]:
        """Attribute every event triggered in the block to `actor`, with the device time the
        actor's client sent (R-LED-2), signed with `meaning` (by default the registry's meaning
        of the step the actor was authorised for); a signature's meaning must be this one
        (R-LED-5)."""
        if meaning is None:
            meaning = step(actor.step).meaning if actor.step else Meaning.PERFORMED
        if not actor.person_id or not actor.role:
            raise InvalidInput(Sentence("R-LED-2: every step needs an actor id and a role"))
        _check_meaning(actor, meaning)
        signed = actor.signing is not None and actor.signing.confirmed
        client_time = actor.device_time
        if client_time is not None and client_time.utcoffset() is None:
            raise InvalidInput(
                Sentence(
                    "R-LED-2: the device time must include its UTC offset, "
                    "e.g. 2026-03-01T09:30+08:00"
                )
            )
        stamp = Stamp(
            actor.person_id,
            actor.role,
            meaning,
            self.clock(),
            client_time,
            reauthenticated=signed,
            cosign=cosign,
        )
        with stamped(stamp):
            yield stamp

    def record(self, *aggregates: Aggregate | None, **kwargs: Any) -> Receipt:
        """Save all touched aggregates in one transaction, or nothing: nothing when the step
        registry refused the step on one of them (`require_status`)."""
        for aggregate in aggregates:
            refused = aggregate.__dict__.get(REGISTRY_REFUSAL) if aggregate else None
            if isinstance(refused, RuleViolation):
                raise refused
        aggregates = (*aggregates, *self._follow_derivations(aggregates))
        try:
            recordings = self.save(*aggregates, **kwargs)
        except IntegrityError as exc:
            raise Conflict(
                "Someone else recorded a step on the same item at the same moment; "
                "nothing was written. Scan the item again and repeat the step."
            ) from exc
        last = max((r.notification.id for r in recordings), default=0)
        return Receipt(notification_id=last, events=len(recordings))

    def _follow_derivations(self, aggregates: tuple[Aggregate | None, ...]) -> list[Aggregate]:
        """Items made from an item an open deviation concerns are concerned too (R-QMS-3): the
        quality register follows every derivation saved, in the same transaction."""
        made: dict[str, list[str]] = {}
        stamp: Stamp | None = None
        for aggregate in aggregates:
            for pending in aggregate.pending_events if aggregate is not None else ():
                if type(pending).__name__ == "ItemsDerived":
                    made.setdefault(str(getattr(aggregate, "code", "")), []).extend(
                        pending.codes  # type: ignore[attr-defined]
                    )
                    stamp = pending.stamp  # type: ignore[attr-defined]
        if not made or stamp is None:
            return []
        given = [a for a in aggregates if isinstance(a, QualityRegister)]
        if given:
            register: QualityRegister = given[0]
        else:
            try:
                found: Aggregate = self.repository.get(QUALITY_REGISTER_ID)
            except AggregateNotFoundError:
                return []
            assert isinstance(found, QualityRegister)
            register = found
        extended = False
        with stamped(stamp):
            for deviation, concerned in dict(register.deviations).items():
                new = [c for p, codes in made.items() if p in concerned for c in codes]
                new = [c for c in dict.fromkeys(new) if c not in concerned]
                if new:
                    register.list_deviation(deviation, [*concerned, *new])
                    extended = True
        return [register] if extended and not given else []

    # --- shared helpers for commands ------------------------------------------------------

    def today(self) -> date:
        return self.clock().date()

    def issue_codes(
        self, item_type: ItemType, count: int = 1
    ) -> tuple[CodeSequence, list[ItemCode]]:
        """Issue `count` new codes; save the returned sequence together with the new items."""
        year = self.clock().year % 100
        facility = self.settings.facility
        seq_id = sequence_id(item_type, facility, year)
        try:
            sequence: Aggregate = self.repository.get(seq_id)
        except AggregateNotFoundError:
            sequence = CodeSequence(item_type.prefix, facility, year)
        assert isinstance(sequence, CodeSequence)
        return sequence, sequence.issue(count)

    def load(
        self,
        code: str,
        expected: ItemType | tuple[ItemType, ...],
        kind: type[T],
        *,
        read_only: bool = False,
    ) -> T:
        """The aggregate a scanned or typed code refers to, or a clear refusal (R-ID-1).

        `read_only` gives the cached aggregate itself rather than the command's own copy:
        only for a caller that reads it and lets nothing of it out."""
        parsed, aggregate_id = self._parsed(code, expected)
        try:
            found: Aggregate = self.repository.get(aggregate_id, deepcopy_from_cache=not read_only)
        except AggregateNotFoundError:
            raise NotFound(
                Sentence(
                    "{code} is a valid code but no such {item_type:term} is recorded "
                    "in this ledger; check that you scanned the right label",
                    code=str(parsed),
                    item_type=parsed.item_type.label,
                )
            ) from None
        if not isinstance(found, kind):
            raise NotFound(f"{parsed} does not refer to a {kind.__name__}")
        return found

    #: Codes parsed by `load`, kept until this many (parsing is a pure function of its input).
    PARSED_CODES = 20_000

    def _parsed(
        self, code: str, expected: ItemType | tuple[ItemType, ...]
    ) -> tuple[ItemCode, UUID]:
        """`parse_code` and `item_id` of a code `load` was given (remembered when valid)."""
        key = (code, expected)
        known = self._codes.get(key)
        if known is None:
            parsed = parse_code(code, expected)
            if len(self._codes) >= self.PARSED_CODES:
                self._codes.clear()
            known = self._codes[key] = (parsed, item_id(parsed))
        return known

    def authorise(self, actor: Actor, step_type: str) -> Actor:
        """Refuse the step unless the actor acts in one of the roles the step registry gives
        `step_type`, holds that role and has current training for it (R-PPL-2), and, for a
        signed decision, signs it with their password (R-LED-5). Returns the actor to record
        the step with: its signature confirmed, or dropped when the step is not signed."""
        if actor == SYSTEM:
            return actor
        from ledger.domain.people import Person

        rule = step(step_type)
        roles = [role.value for role in rule.roles]
        try:
            # read only (missing_for changes nothing): the cached person itself, not a copy
            person = self.load(actor.person_id, ItemType.PERSON, Person, read_only=True)
        except (NotFound, InvalidInput):
            raise NotAuthorised(
                [
                    Violation.of(
                        "R-PPL-1",
                        "{person_id} is not a registered person; only registered, trained "
                        "people may record steps",
                        person_id=actor.person_id,
                    )
                ]
            ) from None
        missing = person.missing_for(step_type, actor.role, self.today())
        if actor.role not in roles:
            missing.insert(
                0,
                Violation.of(
                    "R-PPL-2",
                    "{step_type} is recorded in the role {roles:terms_or}, not {role:term}; "
                    "sign in with that role",
                    step_type=step_type,
                    roles=roles,
                    role=actor.role,
                ),
            )
        if missing:
            raise NotAuthorised(missing)
        if rule.signed:
            return replace(self.confirm_signature(actor, step_type), step=step_type)
        return replace(actor, signing=None, step=step_type)  # not a signed decision

    def loader(
        self, expected: ItemType | tuple[ItemType, ...], kind: type[T]
    ) -> Callable[[str], T]:
        """`load` for one kind of item, to hand to `on_item`."""
        return lambda code: self.load(code, expected, kind)

    def on_item(
        self, actor: Actor, step_type: str, load: Callable[[str], T], code: str
    ) -> tuple[Actor, T]:
        """The start of a step recorded on one scanned item: the actor authorised for it
        (`authorise`), then the item `load` finds for `code`, in a status the registry gives
        the step (`require_status`)."""
        actor = self.authorise(actor, step_type)
        item = load(code)
        self.require_status(step_type, item)
        return actor, item

    def require_status(self, step_type: str, item: Aggregate) -> None:
        """Refuse the step when the registry does not record it on an item in the status the
        item shows (`ledger.item_effects`). The refusal is kept on the loaded item and given
        when the step is saved (`record`): the item's own rules run first and name the
        precise reason when they refuse; the registry refuses what they let through."""
        rule = step(step_type)
        code = str(getattr(item, "code", ""))
        item_type = code.split("-", 1)[0]
        status = item.shown.status if isinstance(item, LedgerAggregate) else ""
        if item_type not in rule.on or rule.applies(item_type, status):
            return
        allowed = rule.when or tuple(sorted(s for s in statuses() if s not in rule.unless))
        item.__dict__[REGISTRY_REFUSAL] = RuleViolation(
            [
                Violation.of(
                    rule.rule,
                    "{step_type} is recorded on an item that is {allowed:terms_or}; {code} "
                    "is {status:term}. Scan the item the step is for, or resolve its "
                    "status first",
                    step_type=step_type,
                    allowed=list(allowed),
                    code=code,
                    status=status,
                )
            ]
        )

    def cosign(self, second: Actor, step_type: str, meaning: Meaning) -> Cosign:
        """The signature of the second person of a two-person step, checked like the first
        (R-LED-5); that they are another person is a rule of the step itself (R-PPL-4)."""
        self.confirm_signature(second, step_type)
        _check_meaning(second, meaning)
        return Cosign(second.person_id, second.role, meaning)

    def confirm_signature(self, signer: Actor, step_type: str) -> Actor:
        """Check the signature `signer` gives for `step_type` in this request: the password
        they re-entered, against the password store (R-LED-5, 21 CFR 11.200(a)). Wrong
        signature passwords are counted per signer; five block their signatures for a while.
        Nothing is written when it is refused."""
        if signer.signing is None:
            raise SignatureRefused(
                Sentence(
                    "R-LED-5: {step_type} is a signed decision: {person} signs it by "
                    "re-entering their password",
                    step_type=step_type,
                    person=signer.person_id,
                )
            )
        now = self.clock()
        try:
            self.credentials.check_password(signer.person_id, signer.signing.password, now)
        except ThrottledError as exc:
            raise Throttled(
                Sentence("R-LED-5: electronic signature refused: {problem}.", problem=exc.sentence),
                int((exc.until - now).total_seconds()),
            ) from None
        except CredentialError as exc:
            raise SignatureRefused(
                Sentence("R-LED-5: electronic signature refused: {problem}.", problem=exc.sentence)
            ) from None
        return replace(signer, signing=replace(signer.signing, confirmed=True))
