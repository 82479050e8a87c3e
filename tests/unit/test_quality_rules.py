"""R-QC-1 and R-QC-2 as pure rules: judging a value against a specification's limits, the tests a
lot requires, and the refusals certification lists (no ledger needed)."""

from __future__ import annotations

from ledger.demo.production import EV_TESTS, qc_result
from ledger.domain.quality import certification_problems, describe_limit, required_tests, within
from tests.domain1 import TODAY

BY_NAME = {t["test"]: t for t in EV_TESTS}


def test_r_qc_1_numeric_limits_are_inclusive_and_need_a_number() -> None:
    endotoxin, size = BY_NAME["endotoxin"], BY_NAME["size_mode"]
    assert [within(endotoxin, v) for v in ("2.0", "2.01", "n/a")] == [True, False, None]
    assert [within(size, v) for v in ("49", "50", "200", "201")] == [False, True, True, False]
    assert (describe_limit(endotoxin), describe_limit(size)) == ("<= 2.0 EU/mL", "50-200 nm")


def test_r_qc_1_qualitative_results_match_the_expected_wording() -> None:
    assert within(BY_NAME["sterility"], " No Growth ") is True
    assert within(BY_NAME["mycoplasma"], "positive") is False


def test_r_qc_1_required_tests_are_the_specification_plus_the_genealogy() -> None:
    mandatory = ["bovine_viruses", "sterility"]
    assert required_tests(EV_TESTS, mandatory) == [*BY_NAME, "bovine_viruses"]
    placebo = required_tests(EV_TESTS, [], placebo=True)
    assert placebo == ["sterility", "mycoplasma", "endotoxin"]


def test_r_qc_2_certification_names_every_missing_and_failing_test() -> None:
    failed = qc_result("endotoxin", "9", False, "EU/mL", TODAY)
    retest = qc_result("endotoxin", "0.5", True, "EU/mL", TODAY)
    passed = qc_result("sterility", "no growth", True, "", TODAY)
    problems = certification_problems(
        "LOT-1", ["sterility", "endotoxin", "mycoplasma"], [failed, retest, passed]
    )
    # A retest does not outvote an out-of-spec result: only a correction strikes it out
    assert [p.rule for p in problems] == ["R-QC-2", "R-QC-2"]
    assert "failed endotoxin" in problems[0].message
    assert "no in-spec result for mycoplasma" in problems[1].message
    assert certification_problems("LOT-1", ["sterility"], [passed]) == []
