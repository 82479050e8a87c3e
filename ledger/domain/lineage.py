"""Lineage on the write side (R-DON-7, R-CB-2): what each item was made from, what was made from
it, the donors it descends from, and the holds that stop it from taking any further step.

Every item derived from a donor carries the donor codes, so each later step can load the donors
and refuse when one became ineligible (look-back). Every parent records the codes made from it
(`ItemsDerived`), so a look-back can walk down from the donor and put each descendant on hold in
the same transaction; each item's own history then shows the hold and its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypedDict

from eventsourcing.domain import event

from ledger.domain.correction import Correctable
from ledger.domain.donor_standing import ConsentScope, DonorStanding
from ledger.errors import Violation


class Hold(TypedDict):
    rule: str
    reason: str
    source: str


class TracedItem(Correctable):
    """An item that records the items made from it."""

    if TYPE_CHECKING:
        children: tuple[str, ...]
    else:
        children = ()

    def record_derived(self, codes: Sequence[str], step: str) -> None:
        """Record that `codes` were made from this item by `step` (a decision: earlier
        entries were relied on)."""
        self._items_derived(list(codes), step)

    @event("ItemsDerived")
    def _items_derived(self, codes: list[str], step: str) -> None:
        self.children = (*self.children, *codes)
        self._note_decision()


class DerivedItem(TracedItem):
    """An item made from donor material (or an external cell line), with its lineage."""

    if TYPE_CHECKING:
        donor_codes: list[str]
        sources: list[str]
        mandatory_tests: list[str]
        holds: tuple[Hold, ...]
    else:
        mandatory_tests = ()
        holds = ()

    def put_on_hold(self, rule: str, reason: str, source: str) -> None:
        """Stop every further step on this item (look-back, recall); the reason is shown."""
        self._put_on_hold(Hold(rule=rule, reason=reason, source=source))

    @event("PutOnHold")
    def _put_on_hold(self, hold: Hold) -> None:
        self.holds = (*self.holds, hold)

    def step_refusals(
        self, donors: Sequence[DonorStanding], needs: frozenset[ConsentScope] = frozenset()
    ) -> list[Violation]:
        """Why no further step may be recorded on this item: its holds, and its donors'
        eligibility and consent (R-DON-4, R-DON-6, R-DON-7)."""
        problems = [
            Violation(
                h["rule"],
                f"{self.code} is on hold: {h['reason']}; it may take no further step",
            )
            for h in self.holds
        ]
        passed = {d.code for d in donors}
        if not set(self.donor_codes) <= passed:
            raise ValueError(f"the application must pass every donor of {self.code}")
        held_by = {h["source"] for h in self.holds}
        for donor in donors:
            if donor.code in self.donor_codes:
                problems.extend(
                    donor.refusals_for(self.code, needs, lookback=donor.code not in held_by)
                )
        return problems
