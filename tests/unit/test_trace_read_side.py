"""What the items view shows after an event (status, place, lot, expiry) and how trace trees
and recall places read (R-TRC-2, R-DON-7): read side only, no database."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from ledger.item_effects import Moved, describe_place, facts_of, status_after, vials_moved
from ledger.projections.recall import whereabouts
from ledger.projections.trace import Edge, Graph, Node, render_tree


def event(qualname: str, **fields: Any) -> Any:
    """A stand-in event of class `Aggregate.Name` with `fields`."""
    cls = type(qualname.rsplit(".", 1)[-1], (SimpleNamespace,), {})
    cls.__qualname__ = qualname
    return cls(**fields)


@pytest.mark.parametrize(
    ("qualname", "fields", "status"),
    [
        ("Donor.EligibilityDetermined", {"eligible": True}, "eligible"),
        ("Donor.EligibilityDetermined", {"eligible": False}, "ineligible"),
        ("Donor.IneligibleAfterLookback", {}, "ineligible"),
        ("MaterialLot.Received", {}, "quarantine"),
        ("MaterialLot.Released", {}, "released"),
        ("MaterialLot.Recalled", {}, "recalled"),
        ("CellBank.Established", {}, "quarantine"),
        ("CellBank.Released", {}, "released"),
        ("BankVial.Frozen", {}, "in storage"),
        ("BankVial.Thawed", {}, "thawed"),
        ("BankVial.PutOnHold", {}, "on hold"),
        ("CellBank.TestResultRecorded", {}, None),
    ],
)
def test_r_trc_2_status_after_each_domain_event(
    qualname: str, fields: dict[str, Any], status: str | None
) -> None:
    assert status_after(event(qualname, **fields)) == status


def test_r_trc_2_a_frozen_vial_shows_its_storage_place_and_leaves_it_when_thawed() -> None:
    # Given a vial frozen at a place
    place = {"tank": "LN2-T1", "rack": "R3", "box": "B2", "position": "7"}
    # When the frozen and thawed events are read
    frozen = facts_of(event("BankVial.Frozen", location=place, bank="MCB-1"))
    thawed = facts_of(event("BankVial.Thawed", purpose="production"))
    # Then the place is shown while stored and cleared after thawing
    assert frozen == {"status": "in storage", "location": "LN2-T1/R3/B2/7"}
    assert thawed == {"status": "thawed", "location": None}


def test_r_trc_2_a_material_lot_shows_its_lot_number_and_expiry() -> None:
    facts = facts_of(
        event("MaterialLot.Received", supplier_lot="L-42", expiry=date(2027, 1, 31), code="MAT")
    )
    assert facts == {"status": "quarantine", "lot": "L-42", "expiry": "2027-01-31"}


def test_r_trc_2_an_event_sets_the_place_from_the_field_its_type_declares() -> None:
    assert describe_place("SIT-HOSP-A pharmacy") == "SIT-HOSP-A pharmacy"
    assert describe_place({"site": "SIT-A", "box": "B1"}) == "SIT-A/B1"
    assert describe_place("  ") is None and describe_place(3) is None
    assert facts_of(event("Shipment.Shipped", site="SIT-A"))["location"] == "SIT-A"
    # a field of a conventional name that the type does not declare sets nothing
    assert "location" not in facts_of(event("Study.SubjectRandomised", patient="PAT-1"))


@pytest.mark.parametrize(
    ("status", "location", "where"),
    [
        ("in storage", "LN2-T1/R3/B2/7", "in storage: LN2-T1/R3/B2/7"),
        ("on hold", "LN2-T1/R3/B2/7", "in storage: LN2-T1/R3/B2/7"),
        ("thawed", None, "thawed"),
        ("in transit", "SHP-1", "in transit: SHP-1"),
        ("administered", "PAT-1", "administered: PAT-1"),
        ("released", None, "released"),
    ],
)
def test_r_don_7_recall_lists_say_where_each_item_is(
    status: str, location: str | None, where: str
) -> None:
    assert whereabouts(status, location) == where


def test_r_trc_1_the_tree_follows_the_direction_and_shows_place_and_holds() -> None:
    # Given a small graph traced down from a bank
    hold = {"rule": "R-DON-7", "reason": "donor ineligible", "source": "DON"}
    graph = Graph(
        "MCB",
        "down",
        {
            "MCB": Node("MCB", "MCB", "released", []),
            "V1": Node("V1", "BVL", "on hold", [hold], location="T1/R3/B2/1"),
            "V2": Node("V2", "BVL", "thawed", []),
        },
        [Edge("MCB", "V2", "vials filled"), Edge("MCB", "V1", "vials filled")],
    )
    # When it is rendered
    tree = render_tree(graph)
    # Then each child is one line, in code order, with its place and hold
    assert tree.splitlines() == [
        "MCB  [released]",
        "|-- vials filled: V1  [on hold]  @ T1/R3/B2/1  ON HOLD: donor ineligible",
        "`-- vials filled: V2  [thawed]",
    ]


def test_r_qms_3_the_terminal_tree_shows_an_items_open_quality_events() -> None:
    from ledger.projections.trace import Graph, Node, render_tree

    lot = Node(
        "LOT-1", "LOT", "quarantined", [], quality=["OOS investigation 1 of LOT-1 (sterility)"]
    )
    graph = Graph("LOT-1", "up", {"LOT-1": lot}, [])
    assert (
        render_tree(graph) == "LOT-1  [quarantined]  OPEN: OOS investigation 1 of LOT-1 (sterility)"
    )


def test_r_trc_2_an_item_shows_the_site_study_and_patient_its_events_name() -> None:
    # A patient names their own code, study and site; a site and a study name themselves
    enrolled = facts_of(
        event("Patient.Enrolled", code="PAT-1", study="STU-1", site="SIT-A", donor=None)
    )
    assert (enrolled["site"], enrolled["study"], enrolled["patient"]) == ("SIT-A", "STU-1", "PAT-1")
    assert facts_of(event("Site.Registered", code="SIT-A", name="Hospital"))["site"] == "SIT-A"
    assert facts_of(event("Study.Registered", code="STU-1", title="t"))["study"] == "STU-1"
    # a field of a conventional name that the type does not declare sets nothing
    assert "patient" not in facts_of(event("Study.SubjectRandomised", patient="PAT-1"))


def test_r_acc_5_the_lots_and_kits_of_both_arms_name_their_study_alike() -> None:
    # Given the active lot, the placebo lot and a kit of one blinded study
    active = facts_of(event("ProductLot.Purified", blinding={"study": "STU-B", "arm": "active"}))
    placebo = facts_of(
        event("PlaceboLot.Formulated", blinding={"study": "STU-B", "arm": "placebo"})
    )
    kit = facts_of(event("ProductVial.Filled", lot="STU-B", blinding={"study": "STU-B"}))
    # Then each names the study and nothing that tells the arm
    assert active == placebo == {"status": "awaiting QC", "study": "STU-B"}
    assert kit == {"status": "filled", "lot": "STU-B", "study": "STU-B"}
    # and a lot of no blinded study names none
    assert "study" not in facts_of(event("ProductLot.Purified", blinding=None))


def test_r_trc_2_a_shipment_gives_its_site_to_its_vials_and_a_patient_only_to_the_vial() -> None:
    shipped = event("Shipment.Shipped", code="SHP-1", site="SIT-A", containers={"c": ["PVL-1"]})
    assert facts_of(shipped)["site"] == "SIT-A"
    assert vials_moved(shipped) == Moved(
        "in transit", ["PVL-1"], {"location": "shipment SHP-1 to SIT-A", "site": "SIT-A"}
    )
    # When the site dispenses a vial for a patient
    dispensed = event(
        "SitePharmacy.VialDispensed", site="SIT-A", vial="PVL-1", patient="PAT-1", place="Ward 5"
    )
    # Then the vial names the patient; the shipment keeps its place and names no patient
    assert vials_moved(dispensed) == Moved(
        "dispensed",
        ["PVL-1"],
        {"location": "SIT-A: Ward 5, for PAT-1", "site": "SIT-A", "patient": "PAT-1"},
    )
    assert facts_of(dispensed) == {"site": "SIT-A"}
    used = event("SiteStock.VialUsed", vial="PVL-1", patient="PAT-1")
    assert vials_moved(used) == Moved(
        "administered", ["PVL-1"], {"location": "patient PAT-1", "patient": "PAT-1"}
    )
    assert facts_of(used) == {}
