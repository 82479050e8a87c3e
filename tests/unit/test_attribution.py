"""R-LED-2: every event carries actor id, role, signature meaning, server UTC time and, where
given, the device time; events cannot be triggered unattributed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ledger.application import Actor, CellTraceLedger
from ledger.config import Settings
from ledger.domain.base import Meaning, Stamp, UnattributedEventError, stamped
from ledger.errors import InvalidInput
from tests.specimen import Specimen

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_r_led_2_every_event_carries_the_stamp_and_server_time() -> None:
    # Given a stamp for an operator performing a step
    stamp = Stamp("PER-F01-26-000002-B", "operator", Meaning.PERFORMED, NOW)
    # When an aggregate triggers two events inside it
    with stamped(stamp):
        specimen = Specimen("vial")
        specimen.annotate("thawed")
    events = specimen.collect_events()
    # Then both carry the stamp and the stamp's server time as their timestamp
    assert [e.stamp for e in events] == [stamp, stamp]  # type: ignore[attr-defined]
    assert [e.timestamp for e in events] == [NOW, NOW]


def test_r_led_2_event_outside_a_command_is_refused() -> None:
    # Given an aggregate created in a command
    with stamped(Stamp("PER-X", "operator", Meaning.PERFORMED, NOW)):
        specimen = Specimen("vial")
    # When an event is triggered with no command context, Then it is refused
    with pytest.raises(UnattributedEventError, match="R-LED-2"):
        specimen.annotate("nobody did this")


def test_r_led_2_stamp_requires_timezone_aware_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Stamp("PER-X", "operator", Meaning.PERFORMED, datetime(2026, 3, 1, 9, 30))


def test_r_led_2_stamp_round_trips_through_the_event_store(tmp_path: Path) -> None:
    # Given a ledger with a fixed clock
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'l.db'}")
    app = CellTraceLedger(settings, clock=lambda: NOW)
    device = datetime(2026, 3, 1, 17, 29, tzinfo=timezone(timedelta(hours=8)))
    # When a QA person approves with a device time
    with app.command(Actor("PER-QA", "qa").at(device), Meaning.APPROVED):
        specimen = Specimen("lot")
    app.record(specimen)
    # Then the stored event gives back who, role, meaning, server time and device time
    (stored,) = app.events.get(specimen.id)
    stamp = stored.stamp  # type: ignore[attr-defined]
    assert (stamp.actor_id, stamp.actor_role, stamp.meaning) == ("PER-QA", "qa", Meaning.APPROVED)
    assert stamp.recorded_at == NOW
    assert stamp.client_time == device
    app.close()


def test_r_led_2_command_refuses_device_time_without_offset(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'l.db'}")
    app = CellTraceLedger(settings)
    with (
        pytest.raises(InvalidInput, match="R-LED-2"),
        app.command(Actor("PER-QA", "qa").at(datetime(2026, 3, 1, 9, 30))),
    ):
        pass
    app.close()
