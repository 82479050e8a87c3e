"""Lineage on the write side (R-DON-7, R-CB-2, R-PRO-6): what each item was made from, what was
made from it, the donors it descends from, and the holds and the disposal that stop it from
taking any further step.

Every item derived from a donor carries the donor codes, so each later step can load the donors
and refuse when one became ineligible (look-back). Every parent records the codes made from it
(`ItemsDerived`), so a look-back can walk down from the donor and put each descendant on hold in
the same transaction; each item's own history then shows the hold and its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, NotRequired, TypedDict

from eventsourcing.domain import event

from ledger.domain.base import enum_problems
from ledger.domain.correction import Correctable
from ledger.domain.donor_standing import ConsentScope, DonorStanding
from ledger.errors import RuleViolation, Violation
from ledger.messages import Sentence


class Said(TypedDict):
    """A reason as a translatable sentence: its English template and its values."""

    template: str
    params: dict[str, str | int | float]


class Hold(TypedDict):
    rule: str
    reason: str  # as recorded, in English
    source: str
    said: NotRequired[Said]  # the reason as a sentence, to show it in another language


def said_of(reason: str | Sentence) -> Said | None:
    """A reason to record as a sentence (its template and values), or None for plain text."""
    if not isinstance(reason, Sentence):
        return None
    params = {k: v if isinstance(v, int | float) else str(v) for k, v in reason.params.items()}
    return Said(template=reason.template, params=params)


def reason_of(hold: Hold) -> str | Sentence:
    """A hold's reason, translatable when it was recorded as a sentence."""
    said = hold.get("said")
    return Sentence.restored(said["template"], said["params"]) if said else hold["reason"]


class DisposalCategory(StrEnum):
    """Why an item is destroyed (§5.4.2 不合格及剩余制剂的处理)."""

    NON_CONFORMING = "non_conforming"
    SURPLUS = "surplus"


class Disposal(TypedDict):
    """How a non-conforming or surplus item was destroyed, and who witnessed it (R-PRO-6)."""

    category: str
    method: str
    witness: str
    note: str


class SentWhat(StrEnum):
    MATERIAL = "material"
    DATA = "data"


class Distribution(TypedDict):
    """Material or data of donor origin sent to another institution or project (R-DON-8)."""

    what: str
    institution: str
    project: str
    reference: str


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
        disposal: Disposal | None
        distributions: tuple[Distribution, ...]
    else:
        mandatory_tests = ()
        holds = ()
        disposal = None
        distributions = ()

    def put_on_hold(self, rule: str, reason: str | Sentence, source: str) -> None:
        """Stop every further step on this item (look-back, recall); the reason is shown (in
        the reader's language when it is a sentence)."""
        hold = Hold(rule=rule, reason=str(reason), source=source)
        said = said_of(reason)
        if said is not None:
            hold["said"] = said
        self._put_on_hold(hold)

    @event("PutOnHold")
    def _put_on_hold(self, hold: Hold) -> None:
        self.holds = (*self.holds, hold)

    def lift_hold(self, rule: str, source: str, reason: str | Sentence) -> None:
        """End the holds `source` put on this item under `rule` once assessed (e.g. a
        temperature excursion found acceptable, R-SHP-2); the reason is recorded."""
        if not any(h["rule"] == rule and h["source"] == source for h in self.holds):
            raise RuleViolation(
                [
                    Violation.of(
                        rule,
                        "{code} has no {rule} hold from {source} to lift",
                        code=self.code,
                        rule=rule,
                        source=source,
                    )
                ]
            )
        self._hold_lifted(rule, source, str(reason), said_of(reason))

    @event("HoldLifted")
    def _hold_lifted(self, rule: str, source: str, reason: str, said: Said | None = None) -> None:
        self.holds = tuple(h for h in self.holds if (h["rule"], h["source"]) != (rule, source))

    def dispose(self, disposal: Disposal, actor: str) -> None:
        """Record the item's destruction by `actor` (R-PRO-6): its method and a witness other
        than `actor` (the application checks the witness is a registered person). An item on
        hold, or of an ineligible donor, may always be disposed of."""
        problems = enum_problems(DisposalCategory, disposal["category"], "R-PRO-6", "category")
        if self.disposal is not None:
            problems.append(
                Violation.of("R-PRO-6", "{code} was already disposed of", code=self.code)
            )
        if not disposal["method"].strip():
            problems.append(
                Violation.of("R-PRO-6", "give the method used to dispose of {code}", code=self.code)
            )
        if not disposal["witness"].strip():
            problems.append(
                Violation.of(
                    "R-PRO-6",
                    "the disposal of {code} needs a witness other than the person disposing of it",
                    code=self.code,
                )
            )
        elif disposal["witness"].strip() == actor:
            problems.append(
                Violation.of(
                    "R-PPL-4",
                    "the witness of the disposal of {code} must be another person than the one "
                    "disposing of it, whatever roles they hold",
                    code=self.code,
                )
            )
        if problems:
            raise RuleViolation(problems)
        self._disposed(disposal)

    @event("Disposed")
    def _disposed(self, disposal: Disposal) -> None:
        self.disposal = disposal

    def step_refusals(
        self, donors: Sequence[DonorStanding], needs: frozenset[ConsentScope] = frozenset()
    ) -> list[Violation]:
        """Why no further step may be recorded on this item: its holds, and its donors'
        eligibility and consent (R-DON-4, R-DON-6, R-DON-7)."""
        return self.own_refusals() + self._donor_refusals(donors, needs)

    def own_refusals(self) -> list[Violation]:
        """This item's holds and disposal."""
        problems = [
            Violation.of(
                h["rule"],
                "{code} is on hold: {reason}; it may take no further step",
                code=self.code,
                reason=reason_of(h),
            )
            for h in self.holds
        ]
        if self.disposal is not None:
            problems.append(
                Violation.of(
                    "R-PRO-6",
                    "{code} was disposed of ({method}); a disposed item may take no further step",
                    code=self.code,
                    method=self.disposal["method"],
                )
            )
        problems += [
            Violation.of(
                "R-DON-8",
                "{code} was sent to {institution} ({project}); it takes no further step here",
                code=self.code,
                institution=d["institution"],
                project=d["project"],
            )
            for d in self.distributions
            if d["what"] == SentWhat.MATERIAL
        ]
        return problems

    def _donor_refusals(
        self,
        donors: Sequence[DonorStanding],
        needs: frozenset[ConsentScope],
        project: str | None = None,
        institution: str | None = None,
    ) -> list[Violation]:
        problems: list[Violation] = []
        passed = {d.code for d in donors}
        if not set(self.donor_codes) <= passed:
            raise ValueError(f"the application must pass every donor of {self.code}")
        held_by = {h["source"] for h in self.holds}
        for donor in donors:
            if donor.code in self.donor_codes:
                problems.extend(
                    donor.refusals_for(
                        self.code,
                        needs,
                        lookback=donor.code not in held_by,
                        project=project,
                        institution=institution,
                    )
                )
        return problems

    # --- distribution to another institution or project (R-DON-8) ---------------------------

    def distribute(self, distribution: Distribution, donors: Sequence[DonorStanding]) -> None:
        """Send this material, or its data, to another institution or project (§8.2(2)): only
        within every donor's consent (sharing, and cross-project or cross-institution use when
        the recipient is another project or institution than the consent names). Material
        leaves only when nothing holds it."""
        problems = enum_problems(SentWhat, distribution["what"], "R-DON-8", "what is sent")
        if not all(distribution[k].strip() for k in ("institution", "project", "reference")):
            problems.append(
                Violation.of(
                    "R-DON-8",
                    "name the receiving institution, its project and the agreement's reference",
                )
            )
        if distribution["what"] == SentWhat.MATERIAL:
            problems += self.own_refusals()
        problems += self._donor_refusals(
            donors,
            frozenset({ConsentScope.SHARING}),
            distribution["project"].strip(),
            distribution["institution"].strip(),
        )
        if problems:
            raise RuleViolation(problems)
        cleaned = Distribution(
            what=distribution["what"],
            institution=distribution["institution"].strip(),
            project=distribution["project"].strip(),
            reference=distribution["reference"].strip(),
        )
        if distribution["what"] == SentWhat.MATERIAL:
            self._material_distributed(cleaned)
        else:
            self._data_shared(cleaned)

    @event("MaterialDistributed")
    def _material_distributed(self, distribution: Distribution) -> None:
        self.distributions = (*self.distributions, distribution)

    @event("DataShared")
    def _data_shared(self, distribution: Distribution) -> None:
        self.distributions = (*self.distributions, distribution)
