"""The randomisation list of a blinded study (R-CLN-5, R-CLN-2, R-ACC-5, §7.2.3): the arm of
each randomisation number, loaded under a signature and stored sealed (`ledger.stores.sealed`: the
event holds how many numbers and the seal, never an arm). Each subject enrolled in a blinded
study takes the next number; the ledger then dispenses them a kit of that arm, so nobody at the
site chooses, or learns, the arm. The arm leaves the ledger only through emergency unblinding.
The study also lists its kits (both arms, in code order), so a recall can hold all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from eventsourcing.domain import event

from ledger.domain.adverse_event import Safety
from ledger.errors import RuleViolation, Violation
from ledger.messages import Sentence

ARMS = ("active", "placebo")


class Randomised(Safety):
    """A study's randomisation list and the numbers its subjects were given."""

    if TYPE_CHECKING:
        code: str
        blinded: bool
        randomisation: tuple[str, ...]
        sealed_lists: tuple[str, ...]
        list_size: int
        kits: tuple[str, ...]
        allocated: dict[str, int]

    def load_randomisation(
        self, arms: Sequence[str], reference: str, seal: Callable[[list[str]], str]
    ) -> None:
        """Load the list (one arm per randomisation number, in order), signed; loading again
        extends it with further numbers. `seal` seals the arms for the event (R-ACC-5)."""
        problems = []
        if not self.blinded:
            problems.append(
                Violation.of(
                    "R-CLN-5", "{code} is not blinded; it has no randomisation list", code=self.code
                )
            )
        unknown = sorted({a for a in arms if a not in ARMS})
        if not arms or unknown:
            problems.append(
                Violation.of(
                    "R-CLN-5",
                    "give one arm per randomisation number, each active or placebo{unknown}",
                    unknown=Sentence(" (not: {arms:list})", arms=unknown) if unknown else "",
                )
            )
        if not reference.strip():
            problems.append(
                Violation.of("R-CLN-5", "give the randomisation list's reference and version")
            )
        if problems:
            raise RuleViolation(problems)
        self._randomisation_sealed(len(arms), reference.strip(), seal(list(arms)))

    @event("RandomisationLoaded")
    def _randomisation_loaded(self, arms: list[str], reference: str) -> None:
        """A list stored in clear by an earlier release (replayed, never recorded now)."""
        self.randomisation = (*self.randomisation, *arms)
        self.list_size = self.list_size + len(arms)

    @event("RandomisationSealed")
    def _randomisation_sealed(self, numbers: int, reference: str, sealed: str) -> None:
        self.sealed_lists = (*self.sealed_lists, sealed)
        self.list_size = self.list_size + numbers

    def record_kits(self, codes: Sequence[str]) -> None:
        """Add kits filled for this study (both arms, in code order: nothing tells an arm)."""
        self._kits_added(list(codes))

    @event("KitsAdded")
    def _kits_added(self, codes: list[str]) -> None:
        self.kits = (*self.kits, *codes)

    def randomisation_problems(self) -> list[Violation]:
        """Why the next subject cannot be randomised (a blinded study only)."""
        if not self.blinded:
            return []
        if not self.list_size:
            return [
                Violation.of(
                    "R-CLN-5",
                    "{code} is blinded and has no randomisation list; load it before "
                    "enrolling subjects",
                    code=self.code,
                )
            ]
        if len(self.allocated) >= self.list_size:
            return [
                Violation.of(
                    "R-CLN-5",
                    "every randomisation number of {code} is taken; load an extension of the list",
                    code=self.code,
                )
            ]
        return []

    def randomise(self, patient: str) -> None:
        """Give the subject the next randomisation number (checked by the enrolment)."""
        if self.blinded:
            self._subject_randomised(patient, len(self.allocated) + 1)

    @event("SubjectRandomised")
    def _subject_randomised(self, patient: str, number: int) -> None:
        self.allocated = {**self.allocated, patient: number}

    def arm_of(self, patient: str, opened: Sequence[Sequence[str]]) -> str | None:
        """The arm of a randomised subject, given the opened `sealed_lists` (for kit
        allocation): the clear list of an earlier release comes first, then the sealed ones."""
        number = self.allocated.get(patient)
        arms = [*self.randomisation, *(arm for chunk in opened for arm in chunk)]
        return arms[number - 1] if number and number <= len(arms) else None
