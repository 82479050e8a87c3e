"""R-LED-3, R-PPL-2: the write path's aggregate cache (`ledger.repository`) never decides a
step on stale state. Two applications on one SQLite file stand for two processes: what one
caches, the other changes, and the first decides on the other's state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from ledger.application import SYSTEM, Actor, CellTraceLedger
from ledger.commands.people import ADMINISTER
from ledger.config import Settings
from ledger.errors import NotAuthorised
from tests.domain1 import NOW, TODAY
from tests.specimen import Specimen

YEAR = TODAY + timedelta(days=365)


@pytest.fixture
def two(sqlite_settings: Settings) -> Iterator[tuple[CellTraceLedger, CellTraceLedger]]:
    first = CellTraceLedger(sqlite_settings, clock=lambda: NOW)
    second = CellTraceLedger(sqlite_settings, clock=lambda: NOW)
    yield first, second
    first.close()
    second.close()


def _administrator(app: CellTraceLedger) -> Actor:
    code, _ = app.register_person(SYSTEM, ["administrator"])
    app.record_training(SYSTEM, code, ADMINISTER, TODAY, YEAR, "SOP-ADM-001 v3")
    return Actor(code, "administrator")


def test_r_led_3_a_step_is_decided_on_another_process_s_change_to_a_cached_person(
    two: tuple[CellTraceLedger, CellTraceLedger],
) -> None:
    a, b = two
    # Given two administrators, and application A that has authorised the first (cached)
    first, second = _administrator(a), _administrator(a)
    a.register_person(first, ["operator"])
    # When application B revokes the first administrator's role
    b.revoke_role(second, first.person_id, "administrator", "left the company")
    # Then A refuses the first administrator's next step (R-PPL-2), decided on B's state
    with pytest.raises(NotAuthorised) as refusal:
        a.register_person(first, ["operator"])
    assert "R-PPL-2" in [v.rule for v in refusal.value.violations]


def test_r_led_3_own_saves_after_another_process_s_save_do_not_hide_it(
    two: tuple[CellTraceLedger, CellTraceLedger],
) -> None:
    a, b = two
    # Given application A that has authorised the first administrator and saved since
    first, second = _administrator(a), _administrator(a)
    a.register_person(first, ["operator"])
    # When B revokes that administrator's role, and A then saves steps that do not touch them
    b.revoke_role(second, first.person_id, "administrator", "left the company")
    a.register_person(SYSTEM, ["operator"])
    a.register_person(SYSTEM, ["operator"])
    # Then A's own later saves do not vouch for B's event: the step is refused (R-PPL-2)
    with pytest.raises(NotAuthorised) as refusal:
        a.register_person(first, ["operator"])
    assert "R-PPL-2" in [v.rule for v in refusal.value.violations]


def test_r_led_3_the_cache_keeps_its_own_copy_of_what_was_saved(
    two: tuple[CellTraceLedger, CellTraceLedger],
) -> None:
    a, _ = two
    # Given an aggregate saved through the application, now cached
    with a.command(Actor("PER-SETUP", "operator")):
        specimen = Specimen("as saved")
    a.record(specimen)
    # When the caller changes its object after the save, without saving it
    specimen.label = "changed, never saved"
    # Then the next load gives the saved state, in a copy of its own
    with a.attempt():
        loaded = a.repository.get(specimen.id)
        assert loaded.label == "as saved"
        loaded.label = "changed by a refused command"
        assert a.repository.get(specimen.id).label == "as saved"
