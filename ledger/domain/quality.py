"""Quality-control results and certification checks for product lots (R-QC-1, R-QC-2, §5.5,
§5.8): each result records method, laboratory (third party or not), value, unit and whether it
is within specification; certification needs a current in-spec result for every required test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import NotRequired, TypedDict

from ledger.domain.specification import SAFETY_CATEGORIES, SpecTest
from ledger.errors import Violation

#: Engineered cells make a vector-residue test mandatory downstream (§5.5.2 病毒、质粒、载体等残留).
VECTOR_RESIDUE = "vector_residue"


class QcResult(TypedDict):
    """One release-test result as the QC analyst records it."""

    test: str
    method: str
    laboratory: str
    third_party: bool
    value: str
    unit: str
    in_spec: bool
    limit: str  # the acceptance limit applied; the specification's when the test is in it
    report_ref: str
    tested_on: date
    replaces: NotRequired[int]  # a retest: the invalidated result it replaces (R-QMS-1)


def required_tests(
    spec_tests: Sequence[SpecTest], mandatory: Iterable[str], *, placebo: bool = False
) -> list[str]:
    """The specification's tests (only the microbial-safety ones for a placebo lot) plus the
    tests the lot's genealogy makes mandatory (R-QC-1, R-MAT-2/3/5)."""
    safety = {c.value for c in SAFETY_CATEGORIES}
    named = [t["test"] for t in spec_tests if not placebo or t["category"] in safety]
    return [*named, *sorted(set(mandatory) - set(named))]


def within(test: SpecTest, value: str) -> bool | None:
    """Whether `value` meets `test`'s limits; None when a numeric limit gets a non-number."""
    if test["minimum"] is None and test["maximum"] is None:
        return value.strip().casefold() == test["expected"].strip().casefold()
    try:
        number = float(value)
    except ValueError:
        return None
    low, high = test["minimum"], test["maximum"]
    return (low is None or number >= low) and (high is None or number <= high)


def describe_limit(test: SpecTest) -> str:
    low, high, unit = test["minimum"], test["maximum"], test["unit"]
    if low is None and high is None:
        return test["expected"]
    if low is None:
        return f"<= {high} {unit}".strip()
    if high is None:
        return f">= {low} {unit}".strip()
    return f"{low}-{high} {unit}".strip()


def result_problems(
    lot: str, result: QcResult, required: Sequence[str], spec: Mapping[str, SpecTest]
) -> list[Violation]:
    """R-QC-1: a result of a required test, complete, and judged against the specification's
    limits when the test is in it."""
    test = result["test"]
    if test not in required:
        return [
            Violation.of(
                "R-QC-1",
                "{test!r} is not a required test of {lot} (required: {required:list})",
                test=test,
                lot=lot,
                required=required,
            )
        ]
    problems = []
    fields = ("method", "laboratory", "value", "report_ref")
    if any(not str(result[f]).strip() for f in fields):  # type: ignore[literal-required]
        problems.append(
            Violation.of(
                "R-QC-1",
                "give the method, laboratory, value and report of the {test} result of {lot}",
                test=test,
                lot=lot,
            )
        )
    defined = spec.get(test)
    if defined is None:
        if not result["limit"].strip():
            problems.append(
                Violation.of(
                    "R-QC-1",
                    "give the acceptance limit applied to {test} of {lot}",
                    test=test,
                    lot=lot,
                )
            )
        return problems
    verdict = within(defined, result["value"])
    if verdict is None:
        problems.append(
            Violation.of(
                "R-QC-1",
                "{test} of {lot} needs a number in {unit}",
                test=test,
                lot=lot,
                unit=defined["unit"],
            )
        )
    elif defined["unit"] and result["unit"].strip() != defined["unit"]:
        problems.append(
            Violation.of(
                "R-QC-1",
                "give {test} of {lot} in {unit}, as specified",
                test=test,
                lot=lot,
                unit=defined["unit"],
            )
        )
    elif verdict != result["in_spec"]:
        word = "within" if verdict else "outside"
        problems.append(
            Violation.of(
                "R-QC-1",
                "{test} of {lot} = {value} is {word:term} the specification ({limit}); "
                "record it as {record_as:term} spec",
                test=test,
                lot=lot,
                value=result["value"],
                word=word,
                limit=describe_limit(defined),
                record_as="in" if verdict else "out of",
            )
        )
    return problems


def certification_problems(
    lot: str, required: Sequence[str], results: Iterable[QcResult]
) -> list[Violation]:
    """R-QC-2: every required test has an in-spec result and no standing out-of-spec one (a
    mistaken result is struck out by a correction, R-LED-1, never outvoted by a retest)."""
    standing = list(results)
    passed = {r["test"] for r in standing if r["in_spec"]}
    problems = [
        Violation.of(
            "R-QC-2",
            "{lot} failed {test} ({value} {unit}, limit {limit}, {report_ref}); it "
            "cannot be certified",
            lot=lot,
            test=r["test"],
            value=r["value"],
            unit=r["unit"],
            limit=r["limit"],
            report_ref=r["report_ref"],
        )
        for r in standing
        if not r["in_spec"] and r["test"] in required
    ]
    problems += [
        Violation.of(
            "R-QC-2", "{lot} has no in-spec result for {test}; test it first", lot=lot, test=test
        )
        for test in required
        if test not in passed and test not in {r["test"] for r in standing if not r["in_spec"]}
    ]
    return problems
