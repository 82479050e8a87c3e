"""R-PPL-1..3: registered people with roles and training; a step is refused without the role
or current training, and the refusal names what is missing; only an authorised QP releases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from ledger.application import SYSTEM, Actor, CellTraceLedger
from ledger.commands.people import ADMINISTER
from ledger.commands.step_types import step_roles
from ledger.config import Settings
from ledger.domain.base import stamped
from ledger.domain.people import Person, Role, parse_roles
from ledger.errors import RuleViolation
from tests.domain1 import NOW, STAMP, TODAY, last_id, settled

YEAR = TODAY + timedelta(days=365)


def rules(refusal: pytest.ExceptionInfo[RuleViolation]) -> list[str]:
    return [v.rule for v in refusal.value.violations]


STEPS = ("banks.test", "banks.thaw", "donors.register")


def person(*roles: str) -> Person:
    with stamped(STAMP):
        return settled(Person("PER-F01-26-000009-X", list(roles)))


@pytest.fixture
def app(sqlite_settings: Settings) -> Iterator[tuple[CellTraceLedger, Actor]]:
    ledger = CellTraceLedger(sqlite_settings, clock=lambda: NOW)
    admin_code, _ = ledger.register_person(SYSTEM, ["administrator"])
    ledger.record_training(SYSTEM, admin_code, ADMINISTER, TODAY, YEAR, "SOP-ADM-001 v3")
    yield ledger, Actor(admin_code, "administrator")
    ledger.close()


def test_r_ppl_1_unknown_role_is_refused() -> None:
    # When a role outside the catalogue is named, Then it is refused under R-PPL-1
    with pytest.raises(RuleViolation) as refusal:
        parse_roles(["operator", "janitor"])
    assert rules(refusal) == ["R-PPL-1"]
    assert "janitor" in refusal.value.detail


def test_r_ppl_1_training_with_expiry_is_recorded() -> None:
    # Given an operator
    operator = person("operator")
    # When their training for a step type is recorded, Then it is an event with its expiry
    with stamped(STAMP):
        operator.record_training("banks.thaw", TODAY, YEAR, "SOP-THAW v2", known_steps=STEPS)
    (trained,) = operator.collect_events()
    assert type(trained).__name__ == "TrainingRecorded"
    assert operator.training["banks.thaw"] == (TODAY, YEAR)


def test_r_ppl_1_training_that_expires_before_completion_is_refused() -> None:
    operator = person("operator")
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        operator.record_training("banks.thaw", TODAY, TODAY, " ", known_steps=STEPS)
    assert rules(refusal) == ["R-PPL-1", "R-PPL-1"]
    assert operator.collect_events() == []


def test_r_ppl_1_training_for_an_unknown_step_type_is_refused_listing_every_step_type() -> None:
    # Given an operator
    operator = person("operator")
    # When training is recorded for a step type nobody can record
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        operator.record_training("fly.to.moon", TODAY, YEAR, "SOP-1 v1", known_steps=STEPS)
    # Then it is refused under R-PPL-1 naming it and the step types there are; nothing recorded
    assert rules(refusal) == ["R-PPL-1"]
    assert refusal.value.detail == (
        "R-PPL-1: 'fly.to.moon' is not a step type of this ledger, so no training can be "
        "recorded for it; use one of: banks.test, banks.thaw, donors.register"
    )
    assert operator.collect_events() == []


def test_r_ppl_1_training_for_a_mistyped_step_type_lists_the_steps_of_its_area() -> None:
    operator = person("operator")
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        operator.record_training("banks.thw", TODAY, YEAR, "SOP-1 v1", known_steps=STEPS)
    assert refusal.value.detail == (
        "R-PPL-1: 'banks.thw' is not a step type of this ledger, so no training can be "
        "recorded for it; the step types of 'banks' are: banks.test, banks.thaw"
    )
    assert operator.collect_events() == []


def test_r_ppl_1_the_ledger_refuses_training_for_an_unknown_step_and_writes_nothing(
    app: tuple[CellTraceLedger, Actor],
) -> None:
    # Given a registered operator
    ledger, admin = app
    code, _ = ledger.register_person(admin, ["operator"])
    before = last_id(ledger)
    # When an administrator records training for a step type the ledger does not know
    with pytest.raises(RuleViolation) as refusal:
        ledger.record_training(admin, code, "fly.to.moon", TODAY, YEAR, "SOP-1 v1")
    # Then it is refused naming every step type the ledger checks training for; nothing written
    assert rules(refusal) == ["R-PPL-1"]
    for step in ("people.administer", "banks.thaw", "bedside.administer", "shipment.qp_release"):
        assert step in refusal.value.detail
    assert last_id(ledger) == before


def test_r_ppl_1_every_step_the_ledger_authorises_can_be_trained_for(
    app: tuple[CellTraceLedger, Actor],
) -> None:
    # Given a registered operator
    ledger, admin = app
    code, _ = ledger.register_person(admin, ["operator"])
    # When training is recorded for every step type of the registry, Then each is accepted
    for step in step_roles():
        ledger.record_training(admin, code, step, TODAY, YEAR, f"SOP-{step} v1")
    assert set(ledger.get_person(code).training) == set(step_roles()) >= {"people.administer"}


def test_r_ppl_2_missing_role_and_training_are_both_named() -> None:
    # Given a QC analyst without any training
    analyst = person("qc_analyst")
    # When asked what they lack to thaw a vial as an operator
    missing = analyst.missing_for("banks.thaw", "operator", TODAY)
    # Then both the role and the training are named
    assert [v.rule for v in missing] == ["R-PPL-2", "R-PPL-2"]
    assert "role operator" in missing[0].message
    assert "no training record for banks.thaw" in missing[1].message


def test_r_ppl_2_expired_training_is_named() -> None:
    operator = person("operator")
    with stamped(STAMP):
        operator.record_training(
            "banks.thaw", TODAY - timedelta(days=400), TODAY - timedelta(1), "S", known_steps=STEPS
        )
    (problem,) = operator.missing_for("banks.thaw", "operator", TODAY)
    assert "expired" in problem.message


def test_r_ppl_2_untrained_actor_is_refused_and_nothing_is_written(
    app: tuple[CellTraceLedger, Actor],
) -> None:
    # Given an operator with no training
    ledger, admin = app
    code, _ = ledger.register_person(admin, ["operator"])
    before = last_id(ledger)
    # When they try to register a donor (an investigator's step)
    with pytest.raises(RuleViolation) as refusal:
        ledger.register_donor(Actor(code, "operator"))
    # Then the role and training are named, and nothing was written
    assert rules(refusal) == ["R-PPL-2", "R-PPL-2"]
    assert "investigator" in refusal.value.detail
    assert last_id(ledger) == before


def test_r_ppl_2_trained_actor_in_the_right_role_is_accepted(
    app: tuple[CellTraceLedger, Actor],
) -> None:
    ledger, admin = app
    code, _ = ledger.register_person(admin, ["investigator"])
    ledger.record_training(admin, code, "donors.register", TODAY, YEAR, "SOP-DON v1")
    donor, receipt = ledger.register_donor(Actor(code, "investigator"))
    # Then the donor is registered with a new code (sequence opened, code issued, registered)
    assert donor.startswith("DON-") and receipt.events == 3


def test_r_ppl_1_unregistered_actor_is_refused(app: tuple[CellTraceLedger, Actor]) -> None:
    ledger, _ = app
    with pytest.raises(RuleViolation) as refusal:
        ledger.register_donor(Actor("PER-F01-26-000999-9", "investigator"))
    assert rules(refusal) == ["R-PPL-1"]


def test_r_ppl_3_only_a_qp_can_be_authorised_for_a_site() -> None:
    # Given a QA person who is not a QP
    qa = person("qa")
    # When authorised as QP for a site, Then it is refused and nothing recorded
    with pytest.raises(RuleViolation) as refusal, stamped(STAMP):
        qa.authorise_qp("SIT-A")
    assert rules(refusal) == ["R-PPL-3"]
    assert qa.collect_events() == []


def test_r_ppl_3_qp_authorisation_is_an_event_and_revoking_the_role_removes_it() -> None:
    qp = person(Role.QP.value)
    with stamped(STAMP):
        qp.authorise_qp("SIT-A")
        assert qp.qp_sites == {"SIT-A"}
        qp.revoke_role(Role.QP, "left the company")
    assert [type(e).__name__ for e in qp.collect_events()] == ["QPAuthorised", "RoleRevoked"]
    assert qp.qp_sites == set()
