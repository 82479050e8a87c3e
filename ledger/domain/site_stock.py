"""The site's record of the vials a shipment delivered (R-SHP-3, R-QC-4, R-PPL-3, R-CLN-3,
§7.3.2): the receipt re-inspection per vial, the Qualified Person's release of the vials that
passed, and each vial's thaw at the bedside and use. A vial that failed or was missing at
receipt is put on hold for good: it may never be used on a subject.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from eventsourcing.domain import event

from ledger.domain.accountability import Accountable
from ledger.domain.product_vial import ProductVial
from ledger.errors import RuleViolation, Violation


class SiteStock(Accountable):
    """Receipt, release, thaw and use of a shipment's vials at its site."""

    if TYPE_CHECKING:
        site: str
        delivered_at: datetime | None
        inspected: bool
        passed: list[str]
        failed: dict[str, str]
        missing: list[str]
        released: list[str]
        thawed: dict[str, datetime]
        used: dict[str, str]
        returned: dict[str, str]
        places: dict[str, str]
        units: dict[str, str]
        dispensed: dict[str, str]

        @property
        def vials(self) -> list[str]: ...

    def inspect_receipt(
        self, passed: Sequence[str], failed: Mapping[str, str], vials: Sequence[ProductVial]
    ) -> None:
        """The site's re-inspection (R-SHP-3): vials neither passed nor failed are missing;
        failed and missing vials go on hold for good."""
        problems = []
        if self.delivered_at is None:
            problems.append(
                Violation.of("R-SHP-3", "record the delivery of {code} first", code=self.code)
            )
        if self.inspected:
            problems.append(
                Violation.of("R-SHP-3", "{code} was already re-inspected", code=self.code)
            )
        named = [*passed, *failed]
        unknown = sorted(set(named) - set(self.vials))
        if unknown or len(set(named)) != len(named):
            problems.append(
                Violation.of(
                    "R-SHP-3",
                    "{unknown:terms} is not in {code} or is named twice; inspect only the vials "
                    "of this shipment, each once",
                    unknown=unknown or ["a vial"],
                    code=self.code,
                )
            )
        if any(not reason.strip() for reason in failed.values()):
            problems.append(Violation.of("R-SHP-3", "give the reason each failed vial failed"))
        if problems:
            raise RuleViolation(problems)
        missing = [v for v in self.vials if v not in named]
        reasons = {v: r.strip() for v, r in failed.items()}
        self._receipt_inspected(list(passed), reasons, missing)
        for vial in vials:
            if vial.code in reasons:
                reason = f"failed receipt re-inspection at {self.site}: {reasons[vial.code]}"
            elif vial.code in missing:
                reason = f"missing at receipt of {self.code} at {self.site}"
            else:
                continue
            vial.put_on_hold("R-SHP-3", f"{reason}; it may never be used on a subject", self.code)

    @event("ReceiptInspected")
    def _receipt_inspected(
        self, passed: list[str], failed: dict[str, str], missing: list[str]
    ) -> None:
        self.inspected = True
        self.passed, self.failed, self.missing = passed, failed, missing

    def release_for_use(
        self, qp_sites: set[str], qp: str, refusals: Sequence[Violation]
    ) -> list[str]:
        """The site QP's signed release of the vials that passed re-inspection (R-QC-4,
        R-PPL-3); `refusals` are those vials' holds and donor look-back. Returns them."""
        problems = list(refusals)
        if self.site not in qp_sites:
            problems.append(
                Violation.of(
                    "R-PPL-3",
                    "{qp} is not authorised as Qualified Person for {site}; only that "
                    "site's QP may release for it",
                    qp=qp,
                    site=self.site,
                )
            )
        if not self.inspected or not self.passed:
            problems.append(
                Violation.of(
                    "R-QC-4",
                    "no vial of {code} has passed receipt re-inspection at {site}; "
                    "re-inspect it first",
                    code=self.code,
                    site=self.site,
                )
            )
        elif self.released:
            problems.append(
                Violation.of("R-QC-4", "{code} was already released for use", code=self.code)
            )
        if problems:
            raise RuleViolation(problems)
        self._released_for_use(list(self.passed))
        return self.released

    @event("ReleasedForUse")
    def _released_for_use(self, vials: list[str]) -> None:
        self.released = vials

    def record_thaw(self, vial: str, at: datetime) -> None:
        """Thaw at the bedside: starts the vial's in-use time (R-CLN-2)."""
        problems = []
        if vial not in self.released:
            problems.append(
                Violation.of(
                    "R-QC-4", "{vial} is not released for use at {site}", vial=vial, site=self.site
                )
            )
        if vial in self.thawed:
            problems.append(Violation.of("R-CLN-2", "{vial} was already thawed", vial=vial))
        problems += self.returned_problems(vial)
        if problems:
            raise RuleViolation(problems)
        self._vial_thawed(vial, at)

    @event("VialThawed")
    def _vial_thawed(self, vial: str, at: datetime) -> None:
        self.thawed = {**self.thawed, vial: at}

    def record_use(self, vial: str, patient: str) -> None:
        """The vial was administered (the application checked the bedside decision first)."""
        self._vial_used(vial, patient)

    @event("VialUsed")
    def _vial_used(self, vial: str, patient: str) -> None:
        self.used = {**self.used, vial: patient}

    # --- returns to the manufacturer (R-QMS-6) ----------------------------------------------

    def returned_problems(self, vial: str) -> list[Violation]:
        """A vial sent back to the manufacturer takes no further step at the site."""
        if vial not in self.returned:
            return []
        return [
            Violation.of(
                "R-QMS-6",
                "{vial} was returned to the manufacturer in {back}; it is no longer at {site}",
                vial=vial,
                back=self.returned[vial],
                site=self.site,
            )
        ]

    def return_problems(self, vials: Sequence[str]) -> list[Violation]:
        """Why `vials` cannot be sent back from the site: they must have been received here
        and not administered, thawed or returned already."""
        problems = []
        if not self.inspected:
            problems.append(
                Violation.of(
                    "R-SHP-3",
                    "re-inspect the receipt of {code} before returning its vials",
                    code=self.code,
                )
            )
        if not vials or len(set(vials)) != len(vials):
            problems.append(Violation.of("R-QMS-6", "name the vials returned, each once"))
        for vial in vials:
            if vial not in self.vials or vial in self.missing:
                problems.append(
                    Violation.of(
                        "R-QMS-6",
                        "{vial} was not received at {site} in {code}; return only vials that "
                        "are here",
                        vial=vial,
                        site=self.site,
                        code=self.code,
                    )
                )
            elif vial in self.used or vial in self.thawed:
                problems.append(
                    Violation.of(
                        "R-QMS-6",
                        "{vial} was thawed or administered; it cannot go back - dispose of "
                        "what is left at the site",
                        vial=vial,
                    )
                )
            else:
                problems += self.returned_problems(vial)
        return problems

    def record_return(self, back: str, vials: Sequence[str]) -> None:
        """The vials left the site in the return shipment `back` (checked by
        `return_problems`)."""
        self._vials_returned(back, list(vials))

    @event("VialsReturned")
    def _vials_returned(self, back: str, vials: list[str]) -> None:
        self.returned = {**self.returned, **{v: back for v in vials}}
        self.places = {v: p for v, p in self.places.items() if v not in vials}
        self.units = {v: u for v, u in self.units.items() if v not in vials}
        self.dispensed = {v: p for v, p in self.dispensed.items() if v not in vials}
