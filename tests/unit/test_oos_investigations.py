"""The quality system behind release (R-QMS-1, R-QMS-3, R-QMS-5): an out-of-specification
result opens an OOS investigation and quarantines the lot; nobody strikes a QC result out; the
result is invalidated only by QA's signed conclusion naming an assignable cause, and the retest
names the result it replaces; a quarantined or rejected lot is never certified or filled, and
a rejected lot only goes to disposal. Each refusal writes nothing."""

from __future__ import annotations

import pytest

from ledger.demo.production import lot_results, qc_result, record_results
from ledger.domain.base import Meaning
from tests.domain1 import TODAY, history, last_id, refused_step
from tests.domain2 import Planted, purified_lot

ENDOTOXIN_OOS = qc_result("endotoxin", "40", False, "EU/mL", TODAY)


@pytest.fixture
def lot(planted: Planted) -> str:
    return purified_lot(*planted)


def _oos(planted: Planted, lot: str) -> int:
    """Record every result, endotoxin out of specification; the OOS result's event number."""
    app, plant = planted
    passing = [r for r in lot_results(app, lot) if r["test"] != "endotoxin"]
    record_results(app, plant.staff, passing, lot)
    app.record_lot_result(plant.staff["qc_analyst"], lot, ENDOTOXIN_OOS)
    return next(
        e.originator_version
        for e in history(app, lot)
        if type(e).__name__ == "TestResultRecorded" and not e.result["in_spec"]  # type: ignore[attr-defined]
    )


def test_r_qms_1_the_story_an_oos_result_is_investigated_before_the_lot_is_certified(
    planted: Planted, lot: str
) -> None:
    app, plant = planted
    qa, analyst, operator = plant.staff["qa"], plant.staff["qc_analyst"], plant.staff["operator"]
    # Given the analyst's out-of-specification endotoxin result
    oos = _oos(planted, lot)
    item = app.get_product_lot(lot)
    # Then it opened OOS investigation 1 on that result and quarantined the lot
    assert item.quarantined and item.investigations[1]["result"] == oos
    assert item.investigations[1]["outcome"] == "open"
    # When an operator (or anyone) strikes the result out, Then it is refused, nothing written
    before = last_id(app)
    assert refused_step(app, lambda: app.correct_entry(operator, lot, oos, "typo")) == ["R-QMS-1"]
    assert refused_step(app, lambda: app.correct_entry(analyst, lot, oos, "typo")) == ["R-QMS-1"]
    # And QA cannot certify while quarantined with the investigation open, naming both
    assert refused_step(app, lambda: app.certify_lot(qa, lot)) == ["R-QMS-5", "R-QMS-3", "R-QC-2"]
    # And the lot is not filled
    fill = lambda: app.fill_lot(operator, lot, 1, 1.0, "cryovial")  # noqa: E731
    assert refused_step(app, fill) == ["R-QMS-5"]
    assert last_id(app) == before
    # When the laboratory finds the cause (phase I) and QA concludes, signed, invalidating the
    # result for that assignable cause
    app.record_oos_finding(analyst, lot, 1, "laboratory", "sample diluted 1:100, read neat")
    assert refused_step(
        app, lambda: app.conclude_oos_investigation(qa, lot, 1, True, "", "invalid")
    ) == ["R-QMS-1"]  # an invalidation names its assignable cause
    app.conclude_oos_investigation(qa, lot, 1, True, "dilution error", "result invalid")
    concluded = history(app, lot)[-2]
    assert type(concluded).__name__ == "OosConcluded"
    assert concluded.stamp.meaning is Meaning.APPROVED  # type: ignore[attr-defined]
    assert concluded.stamp.reauthenticated  # type: ignore[attr-defined]
    # Then the quarantine is lifted, and the lot waits for the retest
    assert type(history(app, lot)[-1]).__name__ == "QuarantineLifted"
    assert not app.get_product_lot(lot).quarantined
    assert refused_step(app, lambda: app.certify_lot(qa, lot)) == ["R-QC-2"]  # no endotoxin
    # And the retest names the result it replaces; then QA certifies and the lot is filled
    retest = {**qc_result("endotoxin", "0.4", True, "EU/mL", TODAY), "replaces": oos}
    app.record_lot_result(analyst, lot, retest)  # type: ignore[arg-type]
    app.certify_lot(qa, lot)
    app.fill_lot(operator, lot, 2, 1.0, "2 mL cryovial")
    assert app.get_product_lot(lot).investigations[1]["assignable_cause"] == "dilution error"


def test_r_qms_1_a_retest_names_an_invalidated_result_of_the_same_test(
    planted: Planted, lot: str
) -> None:
    app, plant = planted
    analyst = plant.staff["qc_analyst"]
    oos = _oos(planted, lot)
    retest = {**qc_result("endotoxin", "0.4", True, "EU/mL", TODAY), "replaces": oos}
    # While the investigation is open the result still stands: nothing replaces it
    assert refused_step(app, lambda: app.record_lot_result(analyst, lot, retest)) == ["R-QMS-1"]  # type: ignore[arg-type]
    # A confirmed result is never replaced either
    app.conclude_oos_investigation(plant.staff["qa"], lot, 1, False, "", "the lot failed")
    assert refused_step(app, lambda: app.record_lot_result(analyst, lot, retest)) == ["R-QMS-1"]  # type: ignore[arg-type]
    assert app.get_product_lot(lot).quarantined


def test_r_qms_1_findings_go_to_an_open_investigation_of_a_known_phase(
    planted: Planted, lot: str
) -> None:
    app, plant = planted
    analyst, qa = plant.staff["qc_analyst"], plant.staff["qa"]
    _oos(planted, lot)
    assert refused_step(
        app, lambda: app.record_oos_finding(analyst, lot, 2, "laboratory", "x")
    ) == ["R-QMS-1"]
    assert refused_step(app, lambda: app.record_oos_finding(analyst, lot, 1, "astrology", "x")) == [
        "R-QMS-1"
    ]
    app.record_oos_finding(qa, lot, 1, "production", "batch record reviewed, no deviation")
    app.conclude_oos_investigation(qa, lot, 1, False, "", "confirmed: the lot failed")
    assert refused_step(
        app, lambda: app.record_oos_finding(analyst, lot, 1, "laboratory", "late")
    ) == ["R-QMS-1"]


def test_r_qms_5_a_rejected_lot_is_never_certified_or_filled_only_disposed(
    planted: Planted, lot: str
) -> None:
    app, plant = planted
    qa, operator = plant.staff["qa"], plant.staff["operator"]
    # Given a confirmed out-of-specification result
    _oos(planted, lot)
    app.conclude_oos_investigation(qa, lot, 1, False, "", "confirmed: the lot failed")
    assert app.get_product_lot(lot).quarantined
    # When QA rejects the lot, signed
    assert refused_step(app, lambda: app.reject_lot(qa, lot, " ")) == ["R-QMS-5"]
    app.reject_lot(qa, lot, "endotoxin confirmed out of specification")
    rejected = history(app, lot)[-1]
    assert type(rejected).__name__ == "Rejected"
    assert rejected.stamp.reauthenticated  # type: ignore[attr-defined]
    # Then it is never certified, filled, tested or rejected again
    before = last_id(app)
    assert "R-QMS-5" in refused_step(app, lambda: app.certify_lot(qa, lot))
    assert "R-QMS-5" in refused_step(app, lambda: app.fill_lot(operator, lot, 1, 1.0, "vial"))
    assert "R-QMS-5" in refused_step(
        app, lambda: app.record_lot_result(plant.staff["qc_analyst"], lot, ENDOTOXIN_OOS)
    )
    assert refused_step(app, lambda: app.reject_lot(qa, lot, "again")) == ["R-QMS-5"]
    assert last_id(app) == before
    # And it is disposed of, witnessed
    app.dispose_item(operator, lot, "non_conforming", "autoclave", plant.staff["qc_analyst"])
    assert type(history(app, lot)[-1]).__name__ == "Disposed"


def test_r_qms_5_a_certified_lot_is_not_rejected(planted: Planted, lot: str) -> None:
    app, plant = planted
    record_results(app, plant.staff, lot_results(app, lot), lot)
    app.certify_lot(plant.staff["qa"], lot)
    assert refused_step(app, lambda: app.reject_lot(plant.staff["qa"], lot, "x")) == ["R-QMS-5"]


def test_r_qms_5_a_lot_rejected_before_its_results_is_not_filled(
    planted: Planted, lot: str
) -> None:
    # Given a lot QA rejects while it awaits QC (a deviation found in its batch record)
    app, plant = planted
    app.reject_lot(plant.staff["qa"], lot, "batch record deviation: wrong filter")
    # Then it is not filled
    fill = lambda: app.fill_lot(plant.staff["operator"], lot, 1, 1.0, "vial")  # noqa: E731
    assert refused_step(app, fill) == ["R-QMS-5"]
