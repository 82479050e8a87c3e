"""Corrections (R-LED-1): a mistaken entry is struck out by a new event that names the entry
(its aggregate and version) and the reason; the entry itself is never edited or deleted.

An aggregate marks which of its events are correctable *entries* (results, screenings,
consents) and which are *decisions* that relied on them (releases, determinations, derived
items). An entry that a later decision relied on can no longer be struck out: the decision
would then stand on nothing, so the user is told to record a new decision instead. The correct
data is recorded afterwards by the ordinary command, which the struck entry no longer blocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from eventsourcing.domain import event

from ledger.domain.codes import CodedItem
from ledger.errors import RuleViolation, Violation

RULE = "R-LED-1"
ALL = "*"


class Correctable(CodedItem):
    """A coded item whose data entries can be struck out with a reason."""

    if TYPE_CHECKING:
        entries: Mapping[int, str]
        struck: Mapping[int, str]
        decided_at: Mapping[str, int]
    else:
        # Class-level defaults, never mutated: the helpers assign new objects.
        entries = {}
        struck = {}
        decided_at = {}

    def correct(self, version: int, reason: str) -> None:
        """Strike out the entry recorded as this item's event `version`, giving the reason."""
        problems = []
        entry = self.entries.get(version)
        if entry is None:
            problems.append(
                Violation.of(
                    RULE,
                    "event {version} of {code} is not a correctable entry (only results, "
                    "screenings, consents and confirmations are); correctable entries are "
                    "{entries:term}",
                    version=version,
                    code=self.code,
                    entries=sorted(self.entries) or "none",
                )
            )
        elif version in self.struck:
            problems.append(
                Violation.of(
                    RULE,
                    "event {version} of {code} was already corrected",
                    version=version,
                    code=self.code,
                )
            )
        elif version < max(self.decided_at.get(entry, 0), self.decided_at.get(ALL, 0)):
            problems.append(
                Violation.of(
                    RULE,
                    "{entry:term} (event {version}) of {code} was relied on by a later "
                    "decision; it cannot be struck out - record a deviation and a new "
                    "decision instead",
                    entry=entry,
                    version=version,
                    code=self.code,
                )
            )
        if not reason.strip():
            problems.append(
                Violation.of(RULE, "give the reason for correcting {code}", code=self.code)
            )
        if problems:
            raise RuleViolation(problems)
        assert entry is not None
        self._entry_corrected(version, entry, reason.strip())

    @event("EntryCorrected")
    def _entry_corrected(self, corrected_version: int, corrected_event: str, reason: str) -> None:
        self.struck = {**self.struck, corrected_version: reason}

    # --- for subclasses' apply helpers ------------------------------------------------------

    def _note_entry(self, name: str) -> int:
        """Register the event being applied as a correctable entry; returns its version."""
        version = self.version + 1  # the event being applied is the next version
        self.entries = {**self.entries, version: name}
        return version

    def _note_decision(self, *entries: str) -> None:
        """The event being applied relies on the earlier `entries` of these kinds (all kinds
        when none is named)."""
        version = self.version + 1
        self.decided_at = {**self.decided_at, **dict.fromkeys(entries or (ALL,), version)}

    def is_struck(self, version: int) -> bool:
        return version in self.struck
