"""Deviations and CAPA (R-QMS-2, R-QMS-3, R-QMS-4): a major deviation holds its items and
everything made from them until QA closes it, signed, with its impact assessment and CAPA
actions; while any deviation is open, nothing it concerns (nor anything made later from it) is
certified, released by the QP or given at the bedside; CAPA actions have an owner, a due date
and an effectiveness check, and the overdue ones are listed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ledger.demo.production import EV_SPEC, UC, harvest, lot_results, record_results
from ledger.errors import LedgerError
from tests.domain1 import NOW, history, last_id, refused_step
from tests.domain2 import Planted, harvests
from tests.domain3 import WARD, Clinical, enrolled, received


def test_r_qms_2_a_major_deviation_holds_its_items_and_their_descendants_until_closed(
    planted: Planted,
) -> None:
    app, plant = planted
    qa, operator = plant.staff["qa"], plant.staff["operator"]
    _, made = harvests(app, plant)
    lot, _ = app.purify_lot(operator, made, UC, EV_SPEC)
    # When an operator records a major deviation against the first harvest
    code, _ = app.record_deviation(
        operator, "unplanned", "major", [made[0]], "centrifuge ran 10 min short"
    )
    # Then the harvest and the lot made from it are held, naming the deviation
    for item in (made[0], lot):
        (hold,) = _holds(app, item)
        assert (hold["rule"], hold["source"]) == ("R-QMS-2", code)
    assert "R-QMS-2" in refused_step(app, lambda: app.fill_lot(operator, lot, 1, 1.0, "vial"))
    # And QA cannot close a major deviation without its CAPA actions, nor unsigned
    before = last_id(app)
    close = lambda: app.close_deviation(qa, code, "lot 1 affected only", "worn seal", [])  # noqa: E731
    assert refused_step(app, close) == ["R-QMS-2"]
    assert last_id(app) == before
    capa, _ = app.plan_capa(
        qa,
        code,
        "replace the seal; add a run-time check",
        operator.person_id,
        (NOW + timedelta(days=30)).date(),
    )
    app.close_deviation(qa, code, "lot 1 affected only", "worn seal", [capa])
    closed = next(e for e in reversed(history(app, code)) if type(e).__name__ == "Closed")
    assert closed.stamp.reauthenticated  # type: ignore[attr-defined]
    # Then the holds are lifted and it leaves the open list
    assert _holds(app, made[0]) == () and _holds(app, lot) == ()
    assert app.list_open_deviations() == []
    assert set(refused_step(app, close)) == {"R-QMS-2"}  # closed once


def _holds(app: object, code: str) -> tuple[dict[str, str], ...]:
    from ledger.domain.codes import item_id

    return app.repository.get(item_id(code)).holds  # type: ignore[attr-defined, no-any-return]


def test_r_qms_3_an_open_deviation_blocks_certifying_what_is_made_later_from_its_items(
    planted: Planted,
) -> None:
    app, plant = planted
    qa, operator = plant.staff["qa"], plant.staff["operator"]
    culture, _ = harvests(app, plant)
    # Given a minor deviation on the culture (no hold)
    code, _ = app.record_deviation(operator, "unplanned", "minor", [culture], "feed given 2 h late")
    # When harvests and a lot are made from the culture afterwards, and every result passes
    made = harvest(app, plant.staff, culture, plant.lots, 2)
    lot, _ = app.purify_lot(operator, made, UC, EV_SPEC)
    record_results(app, plant.staff, lot_results(app, lot), lot)
    # Then QA cannot certify the lot while the deviation is open, and the refusal names it
    refusal = refused_step(app, lambda: app.certify_lot(qa, lot))
    assert refusal == ["R-QMS-3"]
    assert code in str(_refusal(app, lambda: app.certify_lot(qa, lot)))
    # And once QA closes it, the lot is certified
    app.close_deviation(qa, code, "no impact on quality", "operator late", [])
    app.certify_lot(qa, lot)


def _refusal(app: object, call: object) -> Exception:
    try:
        call()  # type: ignore[operator]
    except Exception as exc:
        return exc
    raise AssertionError("not refused")


def test_r_qms_3_no_qp_release_or_bedside_go_while_a_deviation_concerns_the_vial(
    clinic: Clinical,
) -> None:
    app, c, _ = clinic
    qa, pharmacist = c.staff["qa"], c.staff["pharmacist"]
    # Given a received shipment and a minor deviation on one of its vials
    shipment = received(app, c)
    code, _ = app.record_deviation(pharmacist, "unplanned", "minor", [c.vials[0]], "label smudged")
    # Then the QP's release is refused naming it
    assert refused_step(app, lambda: app.release_for_use(c.staff["qp"], shipment)) == ["R-QMS-3"]
    # Once closed, the vial is released, stored and dispensed, but a new deviation on it
    # makes the bedside no-go with the deviation named
    app.close_deviation(qa, code, "legible on re-inspection", "smudge", [])
    app.release_for_use(c.staff["qp"], shipment)
    app.store_vials(pharmacist, shipment, list(c.vials[:3]), "Freezer F1/rack 1/box 1", -80)
    patient = enrolled(app, c)
    app.dispense(pharmacist, patient, WARD, c.vials[0])
    assert app.verify_bedside(c.vials[0], patient, 1.0, "intravenous").go
    second, _ = app.record_deviation(pharmacist, "unplanned", "minor", [c.vials[0]], "dropped")
    reasons = app.verify_bedside(c.vials[0], patient, 1.0, "intravenous").reasons
    assert [r.rule for r in reasons] == ["R-QMS-3"] and second in reasons[0].message


def test_r_qms_4_capa_actions_have_an_owner_a_due_date_and_an_effectiveness_check(
    planted: Planted,
) -> None:
    app, plant = planted
    qa, operator = plant.staff["qa"], plant.staff["operator"]
    culture, _ = harvests(app, plant)
    code, _ = app.record_deviation(operator, "planned", "minor", [culture], "new feed SOP trial")
    due = app.today() + timedelta(days=7)
    # An owner who is not a registered person, or a due date past, is refused
    before = last_id(app)
    with pytest.raises(LedgerError):  # the deviation's code is no person's
        app.plan_capa(qa, code, "retrain", code, due)
    assert last_id(app) == before
    assert refused_step(
        app,
        lambda: app.plan_capa(
            qa, code, "retrain", operator.person_id, app.today() - timedelta(days=1)
        ),
    ) == ["R-QMS-4"]
    capa, _ = app.plan_capa(qa, code, "retrain the shift on SOP-CUL-03", operator.person_id, due)
    # Not overdue before its due date; overdue after it, until checked effective
    assert app.list_overdue_capas() == []
    app.clock = lambda: NOW + timedelta(days=30)
    assert [c.code for c in app.list_overdue_capas()] == [capa]
    assert refused_step(app, lambda: app.check_capa_effectiveness(qa, capa, True, "audit")) == [
        "R-QMS-4"
    ]  # not done yet
    app.complete_capa(operator, capa, app.today(), "training records TR-55")
    app.check_capa_effectiveness(qa, capa, False, "audit found the same error")
    assert [c.code for c in app.list_overdue_capas()] == [capa]  # ineffective: still listed
    # an ineffective action is followed by a new one
    capa2, _ = app.plan_capa(
        qa, code, "add a checklist step", operator.person_id, app.today() + timedelta(days=3)
    )
    app.complete_capa(operator, capa2, app.today(), "checklist v2")
    app.check_capa_effectiveness(qa, capa2, True, "audit of 10 runs: no recurrence")
    assert capa2 not in [c.code for c in app.list_overdue_capas()]
