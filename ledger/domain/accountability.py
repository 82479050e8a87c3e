"""Product accountability (R-QMS-6, §5.4.2 成品数量的平衡): where every vial of a lot and of a
shipment is, by the record, and the counts that check it.

Per lot: filled = retained + shipped + destroyed + in stock (at the manufacturer). Per shipment:
shipped = administered + returned + destroyed + in stock (at the site). A vial missing at a
receipt (the site's, or the manufacturer's receipt of a return) fits none of these: it is
unaccounted, and its receipt opened a deviation. A reconciliation records what was counted
against the record; a difference is a discrepancy, which opens a deviation too. A lot is closed
only when every discrepancy of the lot, of its shipments and of its returns is explained by a
deviation QA closed, its last count matches the record and nothing is left in its stock.

A blinded study's kits are accounted together, both arms pooled, so that no count tells which
kits came from which lot (R-ACC-5).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypedDict

from eventsourcing.domain import event

from ledger.domain.codes import CodedItem
from ledger.domain.product_vial import ProductVial
from ledger.errors import RuleViolation, Violation
from ledger.identifiers import ItemType, parse_code

RULE = "R-QMS-6"
RETAINED, SHIPPED, DESTROYED, IN_STOCK = "retained", "shipped", "destroyed", "in_stock"
ADMINISTERED, RETURNED, IN_TRANSIT = "administered", "returned", "in_transit"
RECEIVED = "received"
LOT_PARTS = (RETAINED, SHIPPED, DESTROYED, IN_STOCK)
SHIPMENT_PARTS = (ADMINISTERED, RETURNED, DESTROYED, IN_STOCK)


class Reconciliation(TypedDict):
    """One count against the record: the record's numbers then, what was counted, and the
    deviation a difference opened ("" when the count matched)."""

    record: dict[str, int]
    counted: dict[str, int]
    deviation: str
    note: str


class ReturnsView(Protocol):
    """What the accounts read of a return shipment."""

    code: str
    vials: list[str]
    received: list[str]
    missing: list[str]


class SiteView(Protocol):
    """What the accounts read of a shipment's record at its site."""

    code: str
    inspected: bool
    missing: list[str]
    used: dict[str, str]
    returned: dict[str, str]


@dataclass(frozen=True)
class Account:
    """Where each vial of a lot (`total` = filled) or of a shipment (`total` = shipped) is."""

    item: str
    total_name: str  # "filled" or "shipped"
    parts: dict[str, list[str]]
    unaccounted: list[str] = field(default_factory=list)
    pooled_with: str = ""  # a blinded study whose kits are accounted together

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.parts.values()) + len(self.unaccounted)

    @property
    def balanced(self) -> bool:
        return not self.unaccounted

    def numbers(self) -> dict[str, int]:
        """The record's numbers: the total, each part, and the vials unaccounted for."""
        return {
            self.total_name: self.total,
            **{k: len(v) for k, v in self.parts.items()},
            "unaccounted": len(self.unaccounted),
        }

    def equation(self) -> str:
        """`filled 10 = retained 1 + shipped 6 + destroyed 1 + in stock 2`, with the vials
        unaccounted for when there are any."""
        parts = " + ".join(f"{k.replace('_', ' ')} {len(v)}" for k, v in self.parts.items())
        missing = f" + unaccounted {len(self.unaccounted)}" if self.unaccounted else ""
        return f"{self.total_name} {self.total} = {parts}{missing}"

    def differences(self, counted: Mapping[str, int]) -> list[str]:
        """How `counted` differs from the record, one line per part counted."""
        return [
            f"{name.replace('_', ' ')}: counted {n}, the record says {len(self.parts[name])}"
            for name, n in counted.items()
            if n != len(self.parts[name])
        ]


def _of_type(codes: Sequence[str], item_type: ItemType) -> list[str]:
    return [c for c in codes if parse_code(c).item_type == item_type]


def lot_account(
    lot: str,
    vials: Sequence[ProductVial],
    returns: Mapping[str, ReturnsView],
    pooled_with: str = "",
) -> Account:
    """The manufacturer's view of `vials` (those filled from `lot`, or a blinded study's
    kits): retained, shipped (out at a site or travelling back), destroyed here, in stock
    here (a return received back is in stock until destroyed); a vial missing from a return
    is unaccounted. `returns` are the vials' return shipments by code."""
    parts: dict[str, list[str]] = {name: [] for name in LOT_PARTS}
    unaccounted: list[str] = []
    for vial in vials:
        back = _of_type(vial.children, ItemType.RETURN)
        if back and vial.code in returns[back[-1]].missing:
            unaccounted.append(vial.code)
            continue
        out = back and vial.code not in returns[back[-1]].received
        if out or (not back and _of_type(vial.children, ItemType.SHIPMENT)):
            parts[SHIPPED].append(vial.code)
        elif vial.disposal is not None:
            parts[DESTROYED].append(vial.code)
        elif vial.retained is not None:
            parts[RETAINED].append(vial.code)
        else:
            parts[IN_STOCK].append(vial.code)
    return Account(lot, "filled", parts, unaccounted, pooled_with)


def return_account(back: ReturnsView) -> Account:
    """A return's vials: received back at the manufacturer, or missing at its receipt;
    before the receipt they are all in transit."""
    if not back.received and not back.missing:
        return Account(back.code, "returned", {IN_TRANSIT: list(back.vials)})
    return Account(back.code, "returned", {RECEIVED: list(back.received)}, list(back.missing))


def shipment_account(shipment: SiteView, vials: Sequence[ProductVial]) -> Account:
    """The site's view of a shipment's `vials`: administered, returned to the manufacturer,
    destroyed at the site, in stock at the site (held and segregated ones too); a vial
    missing at receipt is unaccounted. Before the site's receipt they are all in transit."""
    if not shipment.inspected:
        return Account(shipment.code, "shipped", {IN_TRANSIT: [v.code for v in vials]})
    parts: dict[str, list[str]] = {name: [] for name in SHIPMENT_PARTS}
    unaccounted: list[str] = []
    for vial in vials:
        if vial.code in shipment.missing:
            unaccounted.append(vial.code)
        elif vial.code in shipment.used:
            parts[ADMINISTERED].append(vial.code)
        elif vial.code in shipment.returned:
            parts[RETURNED].append(vial.code)
        elif vial.disposal is not None:
            parts[DESTROYED].append(vial.code)
        else:
            parts[IN_STOCK].append(vial.code)
    return Account(shipment.code, "shipped", parts, unaccounted)


class Accountable(CodedItem):
    """An item whose vials are accounted for (a lot, a shipment, a return): its counts and the
    deviations its discrepancies opened."""

    if TYPE_CHECKING:
        reconciliations: tuple[Reconciliation, ...]
        discrepancies: tuple[str, ...]
    else:
        reconciliations = ()
        discrepancies = ()

    def reconcile(
        self, account: Account, counted: Mapping[str, int], deviation: str, note: str
    ) -> None:
        """Record a count of the parts named in `counted` against `account`; `deviation` is
        the one the application opened for a difference ("" when the count matched)."""
        problems = counted_problems(account, counted)
        if bool(account.differences(counted)) != bool(deviation):
            raise ValueError("the application opens a deviation exactly for a difference")
        if problems:
            raise RuleViolation(problems)
        self._reconciled(
            Reconciliation(
                record=account.numbers(),
                counted=dict(counted),
                deviation=deviation,
                note=note.strip(),
            )
        )

    @event("Reconciled")
    def _reconciled(self, reconciliation: Reconciliation) -> None:
        self.reconciliations = (*self.reconciliations, reconciliation)
        if reconciliation["deviation"]:
            self.discrepancies = (*self.discrepancies, reconciliation["deviation"])

    def note_discrepancy(self, deviation: str, vials: Sequence[str], description: str) -> None:
        """A discrepancy found outside a count (vials missing at a receipt), with the
        deviation the application opened for it."""
        self._discrepancy_found(deviation, list(vials), description)

    @event("DiscrepancyFound")
    def _discrepancy_found(self, deviation: str, vials: list[str], description: str) -> None:
        self.discrepancies = (*self.discrepancies, deviation)


def counted_problems(account: Account, counted: Mapping[str, int]) -> list[Violation]:
    """Why `counted` is no count of `account`'s parts."""
    problems = []
    unknown = sorted(set(counted) - set(account.parts))
    if unknown or not counted:
        problems.append(
            Violation.of(
                RULE,
                "count {parts:list} of {code}; {unknown:list} is not one of them",
                parts=list(account.parts),
                code=account.item,
                unknown=unknown or ["nothing"],
            )
        )
    if any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in counted.values()):
        problems.append(
            Violation.of(
                RULE, "give each count of {code} as a whole number, 0 or more", code=account.item
            )
        )
    if IN_TRANSIT in account.parts:
        problems.append(
            Violation.of(
                RULE,
                "{code} has not been re-inspected at its site; count it once received",
                code=account.item,
            )
        )
    return problems


def closing_problems(
    lot: str,
    account: Account,
    last_count: Reconciliation | None,
    shipments: Mapping[str, tuple[Account, Reconciliation | None]],
    open_deviations: Sequence[str],
) -> list[Violation]:
    """Why `lot` cannot be closed: vials left in its stock, a count missing or out of date,
    a shipment of its vials not counted at its site, or a deviation about its vials open
    (`open_deviations`: its discrepancies' and any other concerning it, its vials, their
    shipments and returns)."""
    problems = []
    if account.parts[IN_STOCK]:
        problems.append(
            Violation.of(
                RULE,
                "{vials:list} of {code} are still in stock; ship, retain or dispose of them "
                "before the lot is closed",
                vials=account.parts[IN_STOCK],
                code=lot,
            )
        )
    if last_count is None or last_count["record"] != account.numbers():
        problems.append(
            Violation.of(
                RULE,
                "count the vials of {code} against the record now ({equation}); the lot is "
                "closed on a count that matches its record",
                code=lot,
                equation=account.equation(),
            )
        )
    for code, (shipped, count) in sorted(shipments.items()):
        if count is None:
            problems.append(
                Violation.of(
                    RULE,
                    "{shipment} has not been counted at its site ({equation}); the site "
                    "pharmacy reconciles it first",
                    shipment=code,
                    equation=shipped.equation(),
                )
            )
    problems += [
        Violation.of(
            RULE,
            "deviation {deviation} about the vials of {code} is open; QA closes it before "
            "the lot is closed",
            deviation=deviation,
            code=lot,
        )
        for deviation in open_deviations
    ]
    return problems
