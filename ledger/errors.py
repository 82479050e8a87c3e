"""Domain error hierarchy; the API maps these to HTTP status codes in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """One broken rule: the catalogue ID and a sentence saying what to do."""

    rule: str
    message: str


class LedgerError(Exception):
    """Base class of every error CellTrace raises on purpose."""

    kind = "ledger_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(LedgerError):
    """The item, person or record does not exist."""

    kind = "not_found"


class Conflict(LedgerError):
    """The command conflicts with what was recorded meanwhile (e.g. a concurrent write)."""

    kind = "conflict"


class InvalidInput(LedgerError):
    """The input cannot be understood (malformed code, impossible value)."""

    kind = "invalid_input"


class NotReady(LedgerError):
    """The read models have not caught up yet (retry shortly)."""

    kind = "not_ready"


class IntegrityFailure(LedgerError):
    """Stored ledger data failed verification."""

    kind = "integrity_failure"


class RuleViolation(LedgerError):
    """One or more GMP rules refuse the command; nothing was written."""

    kind = "rule_violation"

    def __init__(self, violations: list[Violation] | tuple[Violation, ...]) -> None:
        if not violations:
            raise ValueError("RuleViolation needs at least one violation")
        self.violations: tuple[Violation, ...] = tuple(violations)
        detail = "; ".join(f"{v.rule}: {v.message}" for v in self.violations)
        super().__init__(detail)


class NotAuthorised(RuleViolation):
    """The actor lacks the role, registration or current training for the step (R-PPL-2)."""

    kind = "forbidden"
