"""Deviations and CAPA through the ledger (R-QMS-2, R-QMS-3, R-QMS-4): a deviation is recorded
against scanned items; a major or critical one holds them and everything made from them in the
same transaction; the quality register keeps the open deviations with every item they concern,
extended as items are made from those (`LedgerCore.record`), so certification, QP release and
the bedside refuse while one is open (`quality_refusals`). QA closes a deviation, signed, with
its impact assessment and CAPA actions, which lifts its holds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate

from ledger.commands.materials import find
from ledger.core import Actor, LedgerCore, Receipt
from ledger.domain.codes import CodedItem, item_id
from ledger.domain.deviation import (
    QUALITY_REGISTER_ID,
    Capa,
    Deviation,
    DeviationKind,
    QualityRegister,
    Severity,
)
from ledger.domain.lineage import DerivedItem, TracedItem
from ledger.domain.people import Person
from ledger.domain.product_lot import ProductLot
from ledger.errors import Violation
from ledger.identifiers import ItemType, parse_code
from ledger.messages import Sentence

RECORD = "quality.deviation"
CLOSE = "quality.deviation_close"
PLAN_CAPA = "quality.capa"
COMPLETE_CAPA = "quality.capa_done"
CHECK_CAPA = "quality.capa_effectiveness"
HOLD_RULE = "R-QMS-2"


class DeviationCommands(LedgerCore):
    def record_deviation(
        self,
        actor: Actor,
        kind: str,
        severity: str,
        items: Sequence[str],
        description: str,
        change: str = "",
        discovered_on: date | None = None,
    ) -> tuple[str, Receipt]:
        """A deviation against `items`; a major or critical one holds them and every item made
        from them (R-QMS-2). Returns its code."""
        actor = self.authorise(actor, RECORD)
        named = [self._coded(code) for code in items]
        concerned = _with_descendants(self, named)
        register = self.quality_register()
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.DEVIATION)
            deviation = Deviation.record(
                str(code),
                kind,
                severity,
                [item.code for item in named],
                [item.code for item in concerned],
                description,
                change,
                discovered_on or self.today(),
            )
            register = register or QualityRegister()
            register.list_deviation(deviation.code, deviation.concerned)
            held = (
                [i for i in concerned if isinstance(i, DerivedItem)]
                if deviation.holds_items
                else []
            )
            why = f"{deviation.severity} deviation {deviation.code}: {deviation.description}"
            for item in held:
                item.put_on_hold(HOLD_RULE, why, deviation.code)
        return deviation.code, self.record(sequence, deviation, register, *held)

    def close_deviation(
        self, actor: Actor, code: str, impact: str, root_cause: str, capas: Sequence[str]
    ) -> Receipt:
        """QA's signed closure with the impact assessment and the CAPA actions; lifts the
        deviation's holds (R-QMS-2)."""
        actor, deviation = self.on_item(actor, CLOSE, self.get_deviation, code)
        concerned = (self._coded(c) for c in deviation.concerned) if deviation.holds_items else ()
        held = [
            item
            for item in concerned
            if isinstance(item, DerivedItem)
            and any(h["source"] == deviation.code for h in item.holds)
        ]
        register = self.quality_register() or QualityRegister()
        with self.command(actor):
            deviation.close(impact, root_cause, list(capas))
            register.unlist_deviation(deviation.code)
            for item in held:
                item.lift_hold(
                    HOLD_RULE,
                    deviation.code,
                    Sentence("deviation closed: {impact}", impact=impact.strip()),
                )
        return self.record(deviation, register, *held)

    def plan_capa(
        self, actor: Actor, deviation_code: str, action: str, owner: str, due_on: date
    ) -> tuple[str, Receipt]:
        """A corrective or preventive action of an open deviation, with its owner (a
        registered person) and due date (R-QMS-4). Returns its code."""
        actor, deviation = self.on_item(actor, PLAN_CAPA, self.get_deviation, deviation_code)
        person = self.load(owner, ItemType.PERSON, Person)
        register = self.quality_register()
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.CAPA)
            capa = Capa.plan(str(code), deviation.code, action, person.code, due_on, self.today())
            deviation.plan_capa(capa.code)
            register = register or QualityRegister()
            register.list_capa(capa.code, due_on.isoformat())
        return capa.code, self.record(sequence, capa, deviation, register)

    def complete_capa(self, actor: Actor, code: str, done_on: date, note: str) -> Receipt:
        actor, capa = self.on_item(actor, COMPLETE_CAPA, self.get_capa, code)
        with self.command(actor):
            capa.complete(done_on, note, self.today())
        return self.record(capa)

    def check_capa_effectiveness(
        self, actor: Actor, code: str, effective: bool, evidence: str
    ) -> Receipt:
        """QA's signed effectiveness check; an effective action leaves the overdue list, an
        ineffective one stays on it until a new action is planned (R-QMS-4)."""
        actor, capa = self.on_item(actor, CHECK_CAPA, self.get_capa, code)
        register = self.quality_register() or QualityRegister()
        with self.command(actor):
            capa.check_effectiveness(effective, evidence)
            if effective:
                register.unlist_capa(capa.code)
        return self.record(capa, register)

    def list_overdue_capas(self) -> list[Capa]:
        """CAPA actions past their due date and not yet checked effective (R-QMS-4)."""
        register = self.quality_register()
        codes = register.overdue(self.today()) if register else []
        return [self.get_capa(code) for code in codes]

    def list_open_deviations(self) -> list[Deviation]:
        register = self.quality_register()
        return (
            [self.get_deviation(code) for code in sorted(register.deviations)] if register else []
        )

    def quality_events(self, codes: Iterable[str]) -> dict[str, list[str]]:
        """The open quality events of each of `codes` that has any: the open deviations that
        concern it and, for a lot, its open OOS investigations (R-QMS-2, R-QMS-3)."""
        register = self.quality_register()
        found: dict[str, list[str]] = {}
        for code in codes:
            events = [
                f"deviation {d}" for d in (register.open_concerning({code}) if register else [])
            ]
            if code.startswith(f"{ItemType.PRODUCT_LOT.value}-"):
                lot = find(self, ProductLot, item_id(parse_code(code)))
                events += (
                    [
                        f"OOS investigation {n} of {code} ({i['test']})"
                        for n, i in sorted(lot.investigations.items())
                        if i["outcome"] == "open"
                    ]
                    if lot
                    else []
                )
            if events:
                found[code] = events
        return found

    def mark_quality_events(self, items: Iterable[Any]) -> None:
        """Set `quality` on trace nodes (anything with a `code`) to their open events."""
        listed = list(items)
        events = self.quality_events(item.code for item in listed)
        for item in listed:
            item.quality = events.get(item.code, [])

    def get_deviation(self, code: str) -> Deviation:
        return self.load(code, ItemType.DEVIATION, Deviation)

    def get_capa(self, code: str) -> Capa:
        return self.load(code, ItemType.CAPA, Capa)

    def quality_register(self) -> QualityRegister | None:
        return find(self, QualityRegister, QUALITY_REGISTER_ID)

    def _coded(self, code: str) -> CodedItem:
        """The item of any type a scanned code refers to, or a clear refusal (R-ID-1)."""
        return self.load(code, tuple(ItemType), CodedItem)


def _with_descendants(core: LedgerCore, items: Iterable[CodedItem]) -> list[CodedItem]:
    """`items` and every item made from them, each once."""
    found: list[CodedItem] = []
    seen: set[str] = set()
    queue = list(items)
    while queue:
        item = queue.pop(0)
        if item.code in seen:
            continue
        seen.add(item.code)
        found.append(item)
        if isinstance(item, TracedItem):
            for child in item.children:
                if child not in seen:
                    got: Aggregate = core.repository.get(item_id(child))
                    if isinstance(got, CodedItem):
                        queue.append(got)
    return found


@dataclass(frozen=True)
class Opened:
    """The deviation a command opened ("" when none), with what to save with it."""

    code: str = ""
    saved: tuple[Aggregate, ...] = ()  # the code sequence, the deviation, the quality register


#: No deviation opened.
NOTHING_OPENED = Opened()


def open_discrepancy(core: LedgerCore, items: Sequence[str], description: str) -> Opened:
    """Inside a command: the minor, unplanned deviation an accountability discrepancy opens
    (R-QMS-6). It concerns exactly `items`, not what was made from them: it is about the
    count of the vials, not their quality, so it holds nothing; it blocks closing the lot
    (`ledger.domain.accountability.closing_problems`) until QA closes it."""
    register = find(core, QualityRegister, QUALITY_REGISTER_ID) or QualityRegister()
    sequence, (code,) = core.issue_codes(ItemType.DEVIATION)
    deviation = Deviation.record(
        str(code),
        DeviationKind.UNPLANNED.value,
        Severity.MINOR.value,
        list(items),
        list(items),
        description,
        "",
        core.today(),
    )
    register.list_deviation(deviation.code, list(items))
    return Opened(deviation.code, (sequence, deviation, register))


def quality_refusals(core: LedgerCore, codes: Iterable[str]) -> list[Violation]:
    """R-QMS-3: the open deviations that concern any of `codes`, each named."""
    register = find(core, QualityRegister, QUALITY_REGISTER_ID)
    if register is None:
        return []
    return [
        Violation.of(
            "R-QMS-3",
            "deviation {deviation} is open and concerns {codes:list}; QA closes it first",
            deviation=deviation,
            codes=sorted(set(codes) & set(register.deviations[deviation])),
        )
        for deviation in register.open_concerning(set(codes))
    ]
