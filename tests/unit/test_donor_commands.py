"""R-DON-4, R-DON-6, R-DON-7 through the ledger on a real SQLite file: refusals write nothing,
QA signs eligibility, and a look-back holds every descendant in one transaction."""

from __future__ import annotations

from ledger.demo.records import arrival, eligible_donor, isolate, screened_donor
from ledger.domain.base import Meaning
from tests.domain1 import (
    NOW,
    TODAY,
    Staffed,
    app_collection,
    history,
    refused_step,
)


def test_r_don_4_eligibility_is_signed_by_qa_with_the_meaning_approved(staffed: Staffed) -> None:
    app, staff = staffed
    donor = eligible_donor(app, staff)
    last = list(app.events.get(app.get_donor(donor).id))[-1]
    assert type(last).__name__ == "EligibilityDetermined"
    assert last.stamp.actor_role == "qa" and last.stamp.meaning is Meaning.APPROVED  # type: ignore[attr-defined]


def test_r_ppl_2_eligibility_by_an_investigator_is_refused(staffed: Staffed) -> None:
    app, staff = staffed
    donor = screened_donor(app, staff)
    rules = refused_step(
        app, lambda: app.determine_eligibility(staff["investigator"], donor, True, "ok")
    )
    assert set(rules) == {"R-PPL-2"}


def test_r_don_4_collection_from_an_ineligible_donor_is_refused(staffed: Staffed) -> None:
    # Given a donor QA found ineligible
    app, staff = staffed
    donor = screened_donor(app, staff, reactive=["HIV-1/2"])
    app.determine_eligibility(staff["qa"], donor, False, "HIV-1/2 reactive")
    # When their sample is recorded, Then it is refused and nothing is written
    rules = refused_step(
        app,
        lambda: app.record_collection(
            staff["operator"],
            donor,
            "umbilical_cord",
            NOW,
            "SOP-COL-003 v4",
            [],
            arrival(NOW),
        ),
    )
    assert rules[0] == "R-DON-4"


def test_r_don_6_unknown_consent_scope_is_refused(staffed: Staffed) -> None:
    app, staff = staffed
    donor, _ = app.register_donor(staff["investigator"])
    rules = refused_step(
        app,
        lambda: app.record_consent(
            staff["investigator"],
            donor,
            ["banking", "resale"],
            "P",
            "H",
            "ICF v1",
            TODAY,
        ),
    )
    assert rules == ["R-DON-6"]


def test_r_don_6_withdrawn_consent_refuses_the_next_step(staffed: Staffed) -> None:
    app, staff = staffed
    donor = eligible_donor(app, staff)
    collection = app_collection(app, staff, donor)
    app.withdraw_consent(staff["investigator"], donor, "donor's decision", TODAY)
    assert refused_step(
        app, lambda: app.isolate_cells(staff["operator"], collection, **_isolation())
    ) == ["R-DON-6"]


def test_r_don_7_lookback_holds_every_descendant_at_once(staffed: Staffed) -> None:
    # Given a donor's collection isolated into two portions
    app, staff = staffed
    donor = eligible_donor(app, staff)
    collection = app_collection(app, staff, donor)
    portions = isolate(app, staff, collection, [])
    # When QA declares the donor ineligible after look-back
    receipt = app.declare_donor_ineligible(staff["qa"], donor, "HBV NAT positive on retest", TODAY)
    # Then the donor and all three descendants change in the same transaction
    assert receipt.events == 4
    assert app.list_donor_descendants(donor) == [collection, *portions]
    # And each descendant's own history ends with the hold and its reason
    for code in [collection, *portions]:
        hold = history(app, code)[-1]
        assert type(hold).__name__ == "PutOnHold"
        assert hold.hold["rule"] == "R-DON-7" and "HBV NAT" in hold.hold["reason"]  # type: ignore[attr-defined]
    # And the next step on any of them is refused with nothing written
    rules = refused_step(
        app, lambda: app.isolate_cells(staff["operator"], collection, **_isolation())
    )
    assert rules == ["R-DON-7"]


def _isolation() -> dict[str, object]:
    return {
        "method": "mechanical",
        "parameters": {"explant_size_mm": "2"},
        "cell_type": "umbilical cord MSC",
    }
