"""Item codes for every physical item (R-ID-1) with an ISO/IEC 7064 MOD 37-2 check character.

A code reads ``PREFIX-FACILITY-YY-SERIAL-C``, for example ``PVL-F01-26-000042-7``:

* PREFIX: three letters naming the item type (:class:`ItemType`);
* FACILITY: 2-5 characters ``A-Z``/``0-9`` naming the issuing facility;
* YY: the last two digits of the year of issue;
* SERIAL: six digits, zero-padded; a serial above 999999 uses as many digits as it needs
  (never with a leading zero, so that every item has exactly one spelling);
* C: the ISO/IEC 7064 MOD 37-2 check character (``0-9``, ``A-Z`` or ``*``) computed over
  PREFIX, FACILITY, YY and SERIAL concatenated without the ``-`` separators.

MOD 37-2 (the pure system ISBT 128 uses for donation numbers) detects every single-character
substitution and every transposition of two adjacent characters of the protected string.
Separators are protected by the structure instead: each one borders a fixed-length field
(PREFIX, YY or C), so a moved separator always leaves a malformed code.

:func:`parse_code` is the single entry point for anything scanned or typed.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum, unique
from urllib.parse import unquote
from uuid import NAMESPACE_URL, UUID, uuid5

from ledger.errors import InvalidInput
from ledger.messages import Sentence

RULE = "R-ID-1"

#: Namespace of the aggregate ids derived from item codes (and code sequences), stored in every
#: event: never change it.
ID_NAMESPACE = uuid5(NAMESPACE_URL, "https://celltrace.invalid/ids")

#: The genealogy relation from a product vial to the shipment it travels in, stored in events
#: and in the read models' edges: never change it.
SHIPPED_IN = "shipped in"

#: The relation from a product vial to the return shipment taking it back to the manufacturer.
RETURNED_IN = "returned in"

#: ISO/IEC 7064 MOD 37-2 alphabet; a character's index is its value (0..36).
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"
_VALUES = {char: value for value, char in enumerate(ALPHABET)}
_MODULUS = 37
_RADIX = 2

# Dashes that word processors and some keyboard layouts produce in place of '-'.
_DASHES = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "-")
)
_ALLOWED = frozenset(ALPHABET + "-")
_PREFIX = re.compile(r"[A-Z]{3}", re.ASCII)
_FACILITY = re.compile(r"[A-Z0-9]{2,5}", re.ASCII)
_YEAR = re.compile(r"[0-9]{2}", re.ASCII)
_SERIAL = re.compile(r"[0-9]{6}|[1-9][0-9]{6,}", re.ASCII)
_CHECK = re.compile(r"[0-9A-Z*]", re.ASCII)
_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_FACILITY_RULE = Sentence("the facility code must be 2 to 5 characters A-Z or 0-9")
_SHOWN_MAX = 80


@unique
class ItemType(StrEnum):
    """Kind of physical item or party; the value is the code prefix.

    To add a type, add one line ``NAME = "ABC", "english label"`` (prefixes must stay unique).
    """

    label: str

    # ``label`` defaults only so that type checkers accept the lookup ``ItemType("PVL")``;
    # a member defined without a label is refused when the class is created.
    def __new__(cls, prefix: str, label: str = "") -> ItemType:
        if not _PREFIX.fullmatch(prefix) or not label:
            raise ValueError(f"item type needs a three-letter prefix and a label: {prefix!r}")
        member = str.__new__(cls, prefix)
        member._value_ = prefix
        member.label = label
        return member

    DONOR = "DON", "donor"
    COLLECTION = "COL", "donor sample collection"
    CELL_PORTION = "CEL", "cell portion"
    CLONE = "CLN", "clone"
    SEED_BANK = "SCB", "seed cell bank"
    MASTER_CELL_BANK = "MCB", "master cell bank"
    WORKING_CELL_BANK = "WCB", "working cell bank"
    BANK_VIAL = "BVL", "bank vial"
    CULTURE = "CUL", "culture"
    HARVEST = "HRV", "harvest"
    PRODUCT_LOT = "LOT", "product lot"
    PRODUCT_VIAL = "PVL", "product vial"
    SHIPMENT = "SHP", "shipment"
    SHIPPING_CONTAINER = "CNT", "shipping container"
    PATIENT = "PAT", "patient (study subject)"
    MATERIAL_LOT = "MAT", "material lot"
    PERSON = "PER", "person"
    SITE = "SIT", "site"
    STUDY = "STU", "study"
    DEVIATION = "DEV", "deviation"
    CAPA = "CPA", "CAPA action"
    RETURN = "RTN", "return shipment"
    STORAGE_UNIT = "UNT", "storage unit"

    @property
    def prefix(self) -> str:
        return self.value


class CodeProblem(StrEnum):
    """Why a code was refused, for callers that react differently to each."""

    MALFORMED = "malformed"
    UNKNOWN_PREFIX = "unknown_prefix"
    CHECK_MISMATCH = "check_mismatch"
    WRONG_TYPE = "wrong_type"


class InvalidCodeError(InvalidInput):
    """A scanned or typed item code was refused (R-ID-1); ``text`` is exactly what was given."""

    rule = RULE

    def __init__(self, text: str, problem: CodeProblem, explanation: Sentence) -> None:
        shown = text if len(text) <= _SHOWN_MAX else text[:_SHOWN_MAX] + "..."
        super().__init__(
            Sentence(
                "{rule}: item code {shown!r} refused: {explanation}",
                rule=RULE,
                shown=shown,
                explanation=explanation,
            )
        )
        self.text = text
        self.problem = problem
        self.explanation = explanation.render()
        self.explained = explanation


def mod37_2_check(data: str) -> str:
    """Return the ISO/IEC 7064 MOD 37-2 check character for ``data`` (characters of ``ALPHABET``).

    Recursive method of ISO/IEC 7064 for a pure system with one check character:
    ``p = ((p + a) * r) mod M`` over the characters left to right, then the check value is
    ``(M + 1 - p) mod M``, so that the weighted sum including the check character is 1 mod M.
    """
    if not data:
        raise ValueError("MOD 37-2 needs at least one data character")
    p = 0
    for char in data:
        value = _VALUES.get(char)
        if value is None:
            raise ValueError(f"{char!r} is not in the MOD 37-2 alphabet 0-9, A-Z, '*'")
        p = ((p + value) * _RADIX) % _MODULUS
    return ALPHABET[(_MODULUS + 1 - p) % _MODULUS]


@dataclass(frozen=True)
class ItemCode:
    """A parsed, verified item code; ``year`` is the two-digit year (0-99)."""

    item_type: ItemType
    facility: str
    year: int
    serial: int
    check: str

    def __post_init__(self) -> None:
        # Construction is only possible for a consistent code, so an ItemCode is always valid.
        if not isinstance(self.item_type, ItemType):
            raise TypeError(f"item_type must be an ItemType, got {self.item_type!r}")
        if not _FACILITY.fullmatch(self.facility):
            raise _malformed(self._unchecked(), Sentence("{rule} (e.g. F01).", rule=_FACILITY_RULE))
        if not 0 <= self.year <= 99:
            raise _malformed(
                self._unchecked(), Sentence("the year must be 2000-2099 or its last two digits.")
            )
        if self.serial < 0:
            raise _malformed(
                self._unchecked(), Sentence("the serial must be zero or a positive number.")
            )
        expected = mod37_2_check(_protected(self.item_type, self.facility, self.year, self.serial))
        if self.check != expected:
            raise InvalidCodeError(
                self._unchecked(), CodeProblem.CHECK_MISMATCH, _CHECK_MISMATCH_EXPLANATION
            )

    @classmethod
    def issue(cls, item_type: ItemType, facility: str, year: int, serial: int) -> ItemCode:
        """Build the code for a new item, computing its check character.

        ``year`` is the calendar year (2000-2099) or its last two digits.
        """
        if 2000 <= year <= 2099:
            year -= 2000
        check = ""
        if isinstance(item_type, ItemType) and _FACILITY.fullmatch(facility) and serial >= 0:
            check = mod37_2_check(_protected(item_type, facility, year % 100, serial))
        # __post_init__ refuses whatever is out of range before it looks at the check.
        return cls(item_type, facility, year, serial, check)

    def __str__(self) -> str:
        return f"{self._unchecked()}-{self.check}"

    def _unchecked(self) -> str:
        return f"{self.item_type.prefix}-{self.facility}-{self.year:02d}-{self.serial:06d}"


_CHECK_MISMATCH_EXPLANATION = Sentence(
    "the check character does not match: the code was mistyped or misread; "
    "scan the label again or re-type it."
)


def is_facility_code(text: str) -> bool:
    """Whether `text` is a facility code as item codes spell it (2-5 characters A-Z, 0-9)."""
    return _FACILITY.fullmatch(text) is not None


def format_code(item_type: ItemType, facility: str, year: int, serial: int) -> str:
    """Return the printed form ``PREFIX-FACILITY-YY-SERIAL-C`` of a new item's code."""
    return str(ItemCode.issue(item_type, facility, year, serial))


def parse_code(text: str, expected: ItemType | Collection[ItemType] | None = None) -> ItemCode:
    """Parse and verify a scanned or typed code, or raise :class:`InvalidCodeError` (R-ID-1).

    Accepts surrounding whitespace, lower case, typographic dashes and a label link whose path
    ends in ``/v/<code>``. When ``expected`` is given, a code of any other item type is refused.
    """
    allowed = _expected_types(expected)
    candidate = _extract(text)
    parts = candidate.split("-")
    if len(parts) != 5:
        raise _malformed(
            text,
            Sentence(
                "a code has 5 parts PREFIX-FACILITY-YY-SERIAL-C separated by '-' "
                "(e.g. PVL-F01-26-000042-7), this has {parts}; check it and re-type it.",
                parts=len(parts),
            ),
        )
    prefix, facility, year, serial, check = parts
    for field, pattern, rule in (
        (prefix, _PREFIX, Sentence("the item type prefix must be three letters A-Z")),
        (facility, _FACILITY, _FACILITY_RULE),
        (year, _YEAR, Sentence("the year must be two digits")),
        (
            serial,
            _SERIAL,
            Sentence("the serial must be six digits (more only above 999999, no leading 0)"),
        ),
        (check, _CHECK, Sentence("the check character must be one character 0-9, A-Z or '*'")),
    ):
        if not pattern.fullmatch(field):
            raise _malformed(
                text,
                Sentence("{rule}, got {field!r}; check it and re-type it.", rule=rule, field=field),
            )
    item_type = _item_type(text, prefix)
    try:
        code = ItemCode(item_type, facility, int(year), int(serial), check)
    except InvalidCodeError as error:
        raise InvalidCodeError(text, error.problem, error.explained) from None
    if allowed is not None and code.item_type not in allowed:
        raise InvalidCodeError(
            text,
            CodeProblem.WRONG_TYPE,
            Sentence(
                "expected {wanted:terms_or}, got {got}; scan the label of the right item.",
                wanted=[_a(t) for t in allowed],
                got=_a(code.item_type),
            ),
        )
    return code


def _protected(item_type: ItemType, facility: str, year: int, serial: int) -> str:
    """The characters the check character covers: the code without separators or check."""
    return f"{item_type.prefix}{facility}{year:02d}{serial:06d}"


def _expected_types(
    expected: ItemType | Collection[ItemType] | None,
) -> tuple[ItemType, ...] | None:
    if expected is None:
        return None
    if isinstance(expected, ItemType):
        return (expected,)
    wanted = set(expected)
    types = tuple(t for t in ItemType if t in wanted)
    if not types:
        raise ValueError("expected must name at least one ItemType")
    return types


def _extract(text: str) -> str:
    """Normalise scanner/keyboard output to the bare upper-case code (or refuse it)."""
    candidate = text.strip()
    if not candidate:
        raise _malformed(
            text, Sentence("nothing was scanned or typed; scan the label or type the code.")
        )
    if "/" in candidate:
        # Label QR codes open <base>/v/<code>, maybe followed by a query or fragment.
        path = re.split(r"[?#]", candidate, maxsplit=1)[0].rstrip("/")
        head, _, last = path.rpartition("/")
        if not (head.lower().endswith("/v") or head.lower() == "v"):
            raise _malformed(
                text,
                Sentence(
                    "this is not an item code nor a label link ending in /v/<code>; "
                    "scan the item's own label."
                ),
            )
        candidate = unquote(last).strip()
    candidate = candidate.translate(_DASHES).translate(_UPPER)
    bad = sorted({c for c in candidate if c not in _ALLOWED})
    if bad:
        raise _malformed(
            text,
            Sentence(
                "it contains {listed:list}; codes use only A-Z, 0-9, '*' and '-' "
                "(e.g. PVL-F01-26-000042-7); re-type it.",
                listed=[repr(c) for c in bad],
            ),
        )
    return candidate


def _item_type(text: str, prefix: str) -> ItemType:
    try:
        return ItemType(prefix)
    except ValueError:
        raise InvalidCodeError(
            text,
            CodeProblem.UNKNOWN_PREFIX,
            Sentence(
                "{prefix!r} is not a known item type prefix ({known:list}); "
                "check the first three letters and re-type it.",
                prefix=prefix,
                known=[t.prefix for t in ItemType],
            ),
        ) from None


def _malformed(text: str, explanation: Sentence) -> InvalidCodeError:
    return InvalidCodeError(text, CodeProblem.MALFORMED, explanation)


def _a(item_type: ItemType) -> Sentence:
    """The type's label with its article and prefix, e.g. "a product vial (PVL-...)"."""
    if item_type.label[0] in "aeiou":
        return Sentence(
            "an {label:term} ({prefix}-...)", label=item_type.label, prefix=item_type.prefix
        )
    return Sentence("a {label:term} ({prefix}-...)", label=item_type.label, prefix=item_type.prefix)


def item_id(code: ItemCode | str) -> UUID:
    """The aggregate id of the item that carries `code` (`ledger.domain.codes.CodedItem`)."""
    return uuid5(ID_NAMESPACE, f"item:{code}")
