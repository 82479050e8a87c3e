"""Errors raised when a label cannot be made or a scanned label is refused (R-ID-2).

Every error is an :class:`~ledger.errors.InvalidInput` whose message says what was wrong and
what to do. A scanned item code whose check character is wrong is refused by
:func:`ledger.identifiers.parse_code` with its own ``InvalidCodeError`` (rule R-ID-1).
"""

from __future__ import annotations

from ledger.errors import InvalidInput
from ledger.messages import DEFAULT_LANGUAGE, Sentence

RULE = "R-ID-2"


class LabelError(InvalidInput):
    """A label could not be produced or a scanned label is refused (R-ID-2)."""

    rule = RULE

    def __init__(self, explanation: str | Sentence) -> None:
        english = str(explanation)
        super().__init__(f"{RULE}: {english}")
        self.explanation = english
        self.said = explanation if isinstance(explanation, Sentence) else None

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        """The refusal in `language`, with its rule, when the explanation is translatable."""
        if self.said is None:
            return super().render(language)
        return f"{RULE}{'：' if language == 'zh' else ': '}{self.said.render(language)}"  # noqa: RUF001


class LabelScanError(LabelError):
    """Scanned label text was refused; subclasses say why."""


class NotALabelError(LabelScanError):
    """The scanned text is not a CellTrace signed label payload."""


class UnknownLabelKeyError(LabelScanError):
    """The payload names a label key that is not among the trusted keys."""


class LabelSignatureError(LabelScanError):
    """The signature does not verify: the label was altered, damaged or forged."""


class LabelContentError(LabelError):
    """The label content is incomplete or holds a value a label cannot carry."""


class LabelLayoutError(LabelError):
    """The content does not fit on the chosen label stock, or a printer cannot print it."""


class LabelKeyError(LabelError):
    """The label signing key is missing or unreadable."""
