"""R-ID-1: item codes, their ISO/IEC 7064 MOD 37-2 check character and the single parser."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ledger.errors import InvalidInput
from ledger.identifiers import (
    CodeProblem,
    InvalidCodeError,
    ItemCode,
    ItemType,
    format_code,
    mod37_2_check,
    parse_code,
)

# Written out here on purpose rather than imported: the reference below must not share
# anything with the implementation under test.
ISO_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"

EXAMPLE = "PVL-F01-26-000042-7"


def iso7064_mod37_2_sum(text_with_check: str) -> int:
    """ISO/IEC 7064 pure-system sum: sum of a_i * r^(i-1) mod M, i counted from the right."""
    total = 0
    for i, char in enumerate(reversed(text_with_check)):
        total += ISO_ALPHABET.index(char) * 2**i
    return total % 37


def reference_check(data: str) -> str:
    """The check character is the one that makes the ISO 7064 sum equal 1 (mod 37)."""
    candidates = [c for c in ISO_ALPHABET if iso7064_mod37_2_sum(data + c) == 1]
    assert len(candidates) == 1
    return candidates[0]


def alphanumerics(code: str) -> str:
    return code.replace("-", "")


item_types = st.sampled_from(list(ItemType))
facilities = st.from_regex(r"[A-Z0-9]{2,5}", fullmatch=True)
years = st.integers(min_value=0, max_value=99)
serials = st.one_of(
    st.integers(min_value=0, max_value=999_999), st.integers(min_value=0, max_value=10**9)
)
codes = st.builds(format_code, item_types, facilities, years, serials)


# --- MOD 37-2 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "check"),
    [
        # "A1": A=10: p=(0+10)*2=20; 1: p=(20+1)*2=42 mod 37=5; check=(38-5) mod 37=33 -> 'X'.
        ("A1", "X"),
        # "PVLF0126000042": P=25 -> 50 mod 37=13; V=31 -> 88 mod 37=14; L=21 -> 70 mod 37=33;
        # F=15 -> 96 mod 37=22; 0 -> 44 mod 37=7; 1 -> 16; 2 -> 36; 6 -> 84 mod 37=10;
        # 0 -> 20; 0 -> 40 mod 37=3; 0 -> 6; 0 -> 12; 4 -> 32; 2 -> 68 mod 37=31;
        # check=(38-31) mod 37=7 -> '7'.
        ("PVLF0126000042", "7"),
        # "BVLF0126000042": B=11 -> 22; V -> 106 mod 37=32; L -> 106 mod 37=32; F -> 94 mod 37=20;
        # 0 -> 40 mod 37=3; 1 -> 8; 2 -> 20; 6 -> 52 mod 37=15; 0 -> 30; 0 -> 60 mod 37=23;
        # 0 -> 46 mod 37=9; 0 -> 18; 4 -> 44 mod 37=7; 2 -> 18; check=(38-18) mod 37=20 -> 'K'.
        ("BVLF0126000042", "K"),
        # "BVLF0126000002": same as above up to "BVLF01260000" (p=18); 0 -> 36; 2 -> 76 mod 37=2;
        # check=(38-2) mod 37=36, the value of the extra character '*'.
        ("BVLF0126000002", "*"),
    ],
)
def test_r_id_1_mod37_2_known_answers_computed_by_hand(data: str, check: str) -> None:
    # Given data whose check character was worked out by hand (recursive method above)
    # When the check character is computed
    result = mod37_2_check(data)
    # Then it is the hand-computed one, and the ISO 7064 sum over data + check is 1
    assert result == check
    assert iso7064_mod37_2_sum(data + result) == 1


@pytest.mark.parametrize(("data", "check"), [("G123489654321", "Y"), ("A999915000001", "M")])
def test_r_id_1_mod37_2_matches_widely_published_vectors(data: str, check: str) -> None:
    # Given the MOD 37-2 examples quoted by ISO 7064 implementations and ISBT 128 guidance
    # When / Then the check character is the published one
    assert mod37_2_check(data) == check


@settings(max_examples=300)
@given(st.text(alphabet=ISO_ALPHABET, min_size=1, max_size=40))
def test_r_id_1_mod37_2_agrees_with_the_iso_7064_formula(data: str) -> None:
    # Given any string over the MOD 37-2 alphabet
    # When the check character is computed
    # Then it is the unique character making sum(a_i * 2^(i-1)) = 1 (mod 37)
    assert mod37_2_check(data) == reference_check(data)


@pytest.mark.parametrize("data", ["", "a1", "A-1", "É1"])
def test_r_id_1_mod37_2_refuses_data_outside_its_alphabet(data: str) -> None:
    # Given data that is empty or has characters outside 0-9, A-Z, '*'
    # When / Then computing a check character is a programming error
    with pytest.raises(ValueError):
        mod37_2_check(data)


# --- format and round trip --------------------------------------------------------------


def test_r_id_1_format_code_produces_the_documented_form() -> None:
    # Given a product vial and a master cell bank issued in 2026
    # When their codes are formatted
    vial = format_code(ItemType.PRODUCT_VIAL, "F01", 2026, 42)
    bank = format_code(ItemType.MASTER_CELL_BANK, "LYON2", 26, 1_234_567)
    # Then they read PREFIX-FACILITY-YY-SERIAL-C, a serial above 999999 using more digits
    assert vial == EXAMPLE
    assert bank == "MCB-LYON2-26-1234567-Y"
    assert str(parse_code(bank)) == bank


@pytest.mark.parametrize("item_type", list(ItemType))
def test_r_id_1_round_trip_for_every_item_type(item_type: ItemType) -> None:
    # Given a code formatted for this item type
    text = format_code(item_type, "F01", 2026, 7)
    # When it is parsed back
    code = parse_code(text, expected=item_type)
    # Then every field survives and it prints identically
    assert code == ItemCode(item_type, "F01", 26, 7, code.check)
    assert str(code) == text
    assert text.startswith(f"{item_type.prefix}-F01-26-000007-")


@given(item_types, facilities, years, serials)
def test_r_id_1_round_trip_for_any_valid_code(
    item_type: ItemType, facility: str, year: int, serial: int
) -> None:
    # Given any valid fields
    text = format_code(item_type, facility, year, serial)
    # When the code is parsed
    code = parse_code(text)
    # Then the fields come back and the check covers all alphanumerics but itself
    assert (code.item_type, code.facility, code.year, code.serial) == (
        item_type,
        facility,
        year,
        serial,
    )
    assert str(code) == text
    assert code.check == reference_check(alphanumerics(text)[:-1])


def test_r_id_1_item_types_have_unique_three_letter_prefixes_and_labels() -> None:
    # Given the item type catalogue
    prefixes = [t.prefix for t in ItemType]
    # Then every prefix is three letters, unique, and every type has an English label
    assert all(len(p) == 3 and p.isalpha() and p.isupper() for p in prefixes)
    assert len(set(prefixes)) == len(prefixes) == 23
    assert all(t.label for t in ItemType)
    assert ItemType("PVL") is ItemType.PRODUCT_VIAL
    assert ItemType.PRODUCT_VIAL.label == "product vial"


# --- error detection (the reason for the check character) -------------------------------


@given(codes)
@example(EXAMPLE)
@example("BVL-F01-26-000002-*")
def test_r_id_1_every_single_substitution_is_refused(text: str) -> None:
    # Given a valid code
    positions = [i for i, c in enumerate(text) if c != "-"]
    for i in positions:
        for replacement in ISO_ALPHABET:
            if replacement == text[i]:
                continue
            # When one alphanumeric character (check character included) is replaced
            mutated = text[:i] + replacement + text[i + 1 :]
            # Then MOD 37-2 alone already catches it, and the parser refuses it
            assert iso7064_mod37_2_sum(alphanumerics(mutated)) != 1
            with pytest.raises(InvalidCodeError):
                parse_code(mutated)


@given(codes)
@example(EXAMPLE)
@example("MCB-LYON2-26-1234567-Y")
def test_r_id_1_every_adjacent_transposition_is_refused(text: str) -> None:
    # Given a valid code, as printed (separators included)
    for i in range(len(text) - 1):
        if text[i] == text[i + 1]:
            continue
        # When two adjacent different characters are swapped (a separator moves when one is '-')
        mutated = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        # Then the parser refuses it
        with pytest.raises(InvalidCodeError):
            parse_code(mutated)


@given(codes)
@example(EXAMPLE)
def test_r_id_1_transposition_across_a_separator_is_refused(text: str) -> None:
    # Given a valid code and the string of its alphanumerics, separators kept in place
    chars = alphanumerics(text)
    for i in range(len(chars) - 1):
        if chars[i] == chars[i + 1]:
            continue
        # When two characters adjacent in that string (possibly across a '-') are swapped
        swapped = chars[:i] + chars[i + 1] + chars[i] + chars[i + 2 :]
        letters = iter(swapped)
        mutated = "".join("-" if c == "-" else next(letters) for c in text)
        # Then MOD 37-2 alone already catches it, and the parser refuses it
        assert iso7064_mod37_2_sum(swapped) != 1
        with pytest.raises(InvalidCodeError):
            parse_code(mutated)


# --- each refusal says R-ID-1, what is wrong and what to do ------------------------------


def test_r_id_1_wrong_check_character_is_refused() -> None:
    # Given the example code with its check character misread as 8
    text = "PVL-F01-26-000042-8"
    # When it is parsed
    with pytest.raises(InvalidCodeError) as refused:
        parse_code(text)
    # Then the refusal names the rule, the code, and says to scan or re-type it
    error = refused.value
    assert isinstance(error, InvalidInput)
    assert error.rule == "R-ID-1"
    assert error.text == text
    assert error.problem is CodeProblem.CHECK_MISMATCH
    assert str(error).startswith("R-ID-1: ")
    assert text in str(error)
    assert "the check character does not match: the code was mistyped or misread" in str(error)
    assert "scan the label again or re-type it" in str(error)


def test_r_id_1_unknown_prefix_is_refused() -> None:
    # Given a code whose prefix is no item type
    text = "XYZ-F01-26-000042-7"
    # When it is parsed
    with pytest.raises(InvalidCodeError) as refused:
        parse_code(text)
    # Then the refusal names the rule, the code and the unknown prefix
    error = refused.value
    assert error.problem is CodeProblem.UNKNOWN_PREFIX
    assert error.text == text
    assert "R-ID-1" in str(error)
    assert text in str(error)
    assert "'XYZ' is not a known item type prefix" in str(error)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "nothing was scanned or typed"),
        ("   ", "nothing was scanned or typed"),
        ("PVL-F01-26-000042", "5 parts"),
        ("PVLF0126000042-7", "5 parts"),
        ("PVL-F01-26-000042-7-1", "5 parts"),
        ("PV1-F01-26-000042-7", "prefix must be three letters"),
        ("PVL-F-26-000042-7", "facility code"),
        ("PVL-FACIL1-26-000042-7", "facility code"),
        ("PVL-F01-2026-000042-7", "year must be two digits"),
        ("PVL-F01-26-42-7", "serial must be six digits"),
        ("PVL-F01-26-0000042-7", "serial must be six digits"),
        ("PVL-F01-26-000042-77", "check character must be one character"),
        ("PVL-F01-26-000042-", "check character must be one character"),
        ("PVL F01 26 000042 7", "' '"),
        ("PVL-F01-26-000042-7\x00", "'\\x00'"),
        ("PVL-FØ1-26-000042-7", "'Ø'"),
        ("https://example.org/items/PVL-F01-26-000042-7", "label link ending in /v/<code>"),
    ],
)
def test_r_id_1_malformed_code_is_refused(text: str, says: str) -> None:
    # Given something that is not shaped like an item code
    # When it is parsed
    with pytest.raises(InvalidCodeError) as refused:
        parse_code(text)
    # Then the refusal names the rule and the offending text, and says what is wrong
    error = refused.value
    assert error.problem is CodeProblem.MALFORMED
    assert error.text == text
    assert str(error).startswith(f"R-ID-1: item code {text!r} refused: ")
    assert says in str(error)


def test_r_id_1_wrong_item_type_is_refused_when_one_type_is_expected() -> None:
    # Given a valid bank vial code where a product vial is expected
    text = format_code(ItemType.BANK_VIAL, "F01", 2026, 42)
    # When it is parsed
    with pytest.raises(InvalidCodeError) as refused:
        parse_code(text, expected=ItemType.PRODUCT_VIAL)
    # Then the refusal says which type was expected and which was scanned
    error = refused.value
    assert error.problem is CodeProblem.WRONG_TYPE
    assert error.text == text
    assert "R-ID-1" in str(error)
    assert text in str(error)
    assert "expected a product vial (PVL-...), got a bank vial (BVL-...)" in str(error)


def test_r_id_1_wrong_item_type_is_refused_when_several_types_are_expected() -> None:
    # Given a culture code where any cell bank is expected
    text = format_code(ItemType.CULTURE, "F01", 2026, 3)
    banks = {ItemType.WORKING_CELL_BANK, ItemType.MASTER_CELL_BANK}
    # When it is parsed
    with pytest.raises(InvalidCodeError) as refused:
        parse_code(text, expected=banks)
    # Then every acceptable type is listed, in catalogue order
    assert (
        "expected a master cell bank (MCB-...) or a working cell bank (WCB-...), "
        "got a culture (CUL-...)"
    ) in str(refused.value)
    # And a code of one of those types is accepted
    assert parse_code(format_code(ItemType.WORKING_CELL_BANK, "F01", 26, 1), banks)


def test_r_id_1_a_bad_check_is_reported_before_a_wrong_type() -> None:
    # Given a bank vial code with a wrong check character where a product vial is expected
    # When it is parsed
    with pytest.raises(InvalidCodeError) as refused:
        parse_code("BVL-F01-26-000042-7", expected=ItemType.PRODUCT_VIAL)
    # Then the misread is reported, not a misleading type mismatch
    assert refused.value.problem is CodeProblem.CHECK_MISMATCH


@pytest.mark.parametrize(
    ("facility", "year", "serial"),
    [("f01", 2026, 1), ("F", 2026, 1), ("F01", 1999, 1), ("F01", 100, 1), ("F01", 26, -1)],
)
def test_r_id_1_format_code_refuses_impossible_fields(
    facility: str, year: int, serial: int
) -> None:
    # Given a field outside the code's format
    # When / Then no code is issued
    with pytest.raises(InvalidCodeError, match="R-ID-1"):
        format_code(ItemType.CULTURE, facility, year, serial)


def test_r_id_1_item_code_cannot_be_built_with_a_wrong_check() -> None:
    # Given the example's fields with a wrong check character
    # When / Then the value object refuses to exist
    with pytest.raises(InvalidCodeError) as refused:
        ItemCode(ItemType.PRODUCT_VIAL, "F01", 26, 42, "8")
    assert refused.value.problem is CodeProblem.CHECK_MISMATCH


# --- what scanners and people produce ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        EXAMPLE,
        "pvl-f01-26-000042-7",
        "  Pvl-F01-26-000042-7\r\n",
        "\tPVL-F01-26-000042-7\x1d",
        "PVL\u2013F01\u201326\u2013000042\u20137",
        "https://celltrace.example.org/v/PVL-F01-26-000042-7",
        "HTTPS://CELLTRACE.EXAMPLE.ORG/V/PVL-F01-26-000042-7",
        "https://celltrace.example.org/site/v/pvl-f01-26-000042-7/",
        "https://celltrace.example.org/v/PVL-F01-26-000042-7?sig=abc#top",
        "/v/PVL-F01-26-000042-7",
    ],
)
def test_r_id_1_scanner_and_keyboard_variants_are_accepted(text: str) -> None:
    # Given the example code as a scanner, a QR label link or a person may produce it
    # When it is parsed
    code = parse_code(text, expected=ItemType.PRODUCT_VIAL)
    # Then it is the same item
    assert str(code) == EXAMPLE


def test_r_id_1_percent_encoded_star_check_in_a_link_is_accepted() -> None:
    # Given a label link whose '*' check character was percent-encoded
    text = "https://celltrace.example.org/v/BVL-F01-26-000002-%2A"
    # When it is parsed
    code = parse_code(text)
    # Then the '*' check character is recognised
    assert code.check == "*"
    assert str(code) == "BVL-F01-26-000002-*"
