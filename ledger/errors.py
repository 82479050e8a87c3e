"""Domain error hierarchy; the API maps these to HTTP status codes in one place.

Messages are `Sentence`s where the rule catalogue needs them translated (ledger.messages):
`message` / `detail` stay the English text, `render(language)` gives another language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ledger.messages import DEFAULT_LANGUAGE, Sentence, translated_template


@dataclass(frozen=True)
class Violation:
    """One broken rule: the catalogue ID and a sentence saying what to do.

    Build it with `Violation.of(rule, template, **params)` so that it can be shown in the
    operator's language; equality and `message` (the English text) ignore the template.
    """

    rule: str
    message: str
    sentence: Sentence | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, rule: str, template: str, /, **params: object) -> Violation:
        """The violation of `rule` with the English `template` filled in from `params`."""
        sentence = Sentence(template, **params)
        return cls(rule, sentence.render(), sentence)

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        """The message in `language` ("en" or "zh"); English when no translation is known."""
        if self.sentence is not None:
            return self.sentence.render(language)
        return translated_template(self.message, language) or self.message


class LedgerError(Exception):
    """Base class of every error CellTrace raises on purpose."""

    kind = "ledger_error"

    def __init__(self, detail: str | Sentence) -> None:
        self.sentence = detail if isinstance(detail, Sentence) else None
        english = detail.render() if isinstance(detail, Sentence) else detail
        super().__init__(english)
        self.detail = english

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        """The detail in `language` ("en" or "zh"); English when no translation is known."""
        if self.sentence is not None:
            return self.sentence.render(language)
        return self.detail


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

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Every violation, rule ID first, in `language`."""
        separator = "\N{FULLWIDTH SEMICOLON}" if language == "zh" else "; "
        return separator.join(f"{v.rule}: {v.render(language)}" for v in self.violations)


class NotAuthorised(RuleViolation):
    """The actor lacks the role, registration or current training for the step (R-PPL-2)."""

    kind = "forbidden"


class SignatureRefused(LedgerError):
    """The electronic signature of a signed decision was not given or its password was wrong;
    nothing was written (R-LED-5). The API answers 401."""

    kind = "unauthorized"


class Throttled(LedgerError):
    """Too many wrong passwords from this source or for this signer (R-ACC-4); the API answers
    429 with Retry-After."""

    kind = "too_many_attempts"

    def __init__(self, detail: str | Sentence, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = max(retry_after, 1)


class Unreachable(LedgerError):
    """The ledger's database (or another service) cannot be reached or used: server down,
    wrong password, missing database, permission denied. The CLI exits 3, the API answers 503."""

    kind = "unreachable"
