"""R-LED-4: when the worker signs checkpoints - every N events, every T seconds with new
events, right after milestone events - and how the settings configure it."""

from __future__ import annotations

import pytest

from ledger.config import DEFAULT_CHECKPOINT_MILESTONES, Settings
from ledger.errors import InvalidInput
from ledger.integrity.checkpoint_policy import PeriodicCheckpoints
from ledger.integrity.checkpoints import StoredCheckpoint
from ledger.integrity.merkle_log import Integrated


class FakeLog:
    """Signs whatever size the tree has reached; counts signatures."""

    def __init__(self, size: int = 0, signed: int = 0) -> None:
        self.size, self.signed_size, self.signatures = size, signed, 0

    def latest(self) -> StoredCheckpoint | None:
        return StoredCheckpoint(1, self.signed_size, bytes(32), "", "") if self.signatures else None

    def tree_size(self) -> int:
        return self.size

    def sign(self) -> tuple[StoredCheckpoint, bool]:
        self.signatures += 1
        self.signed_size = self.size
        return StoredCheckpoint(self.signatures, self.size, bytes(32), "", ""), True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def batch(log: FakeLog, n: int, *topics: str) -> Integrated:
    start = log.size
    log.size += n
    return Integrated(start, log.size, log.size, frozenset(topics or ("m:Item.Stepped",)))


def policy(log: FakeLog, clock: Clock) -> PeriodicCheckpoints:
    return PeriodicCheckpoints(
        log, every_events=10, every_seconds=60, milestones=(".QPReleased",), clock=clock
    )


def test_r_led_4_a_checkpoint_is_signed_every_n_events() -> None:
    # Given a policy of every 10 events
    log, clock = FakeLog(), Clock()
    checkpoints = policy(log, clock)
    # When 9 events arrive, then 1 more / Then only the tenth triggers a signature
    assert checkpoints(batch(log, 9)) is None
    signed = checkpoints(batch(log, 1))
    assert signed is not None and signed.size == 10 and log.signatures == 1


def test_r_led_4_a_checkpoint_is_signed_after_t_seconds_only_when_the_log_grew() -> None:
    # Given 3 events integrated and a policy of every 60 seconds
    log, clock = FakeLog(), Clock()
    checkpoints = policy(log, clock)
    assert checkpoints(batch(log, 3)) is None
    # When 60 seconds pass with no new events (idle ticks)
    clock.now = 60.0
    # Then the pending 3 events are signed once, and an idle log is never re-signed
    assert checkpoints(None) is not None
    clock.now = 500.0
    assert checkpoints(None) is None
    assert log.signatures == 1


def test_r_led_4_a_milestone_event_is_signed_at_once() -> None:
    # Given a policy with milestone suffix .QPReleased
    log, clock = FakeLog(), Clock()
    checkpoints = policy(log, clock)
    # When a batch holds ProductLot.QPReleased / Then it is signed right after it
    signed = checkpoints(batch(log, 2, "ledger.domain.production:ProductLot.QPReleased"))
    assert signed is not None and signed.size == 2
    # And a name that merely contains the word is not a milestone
    assert checkpoints(batch(log, 1, "m:Lot.QPReleasedDraft")) is None


def test_r_led_4_a_restarted_worker_signs_what_the_last_run_left_unsigned() -> None:
    # Given a log of 25 leaves whose last checkpoint covers 20, and a fresh worker
    log, clock = FakeLog(size=25, signed=20), Clock()
    log.signatures = 1
    checkpoints = policy(log, clock)
    # When T seconds pass without new events / Then the 5 unsigned leaves are signed
    assert checkpoints(None) is None
    clock.now = 61.0
    signed = checkpoints(None)
    assert signed is not None and signed.size == 25


def test_r_led_4_checkpoint_settings_come_from_the_environment() -> None:
    # Given no variables / Then the defaults, with the QA and QP milestones
    default = Settings.from_env({})
    assert (default.checkpoint_every_events, default.checkpoint_every_seconds) == (1000, 300.0)
    assert default.checkpoint_milestones == DEFAULT_CHECKPOINT_MILESTONES
    assert ".ReleasedForUse" in default.checkpoint_milestones
    # When they are set / Then they are used; an empty milestone list means none
    chosen = Settings.from_env(
        {
            "CELLTRACE_CHECKPOINT_EVERY_EVENTS": "50",
            "CELLTRACE_CHECKPOINT_EVERY_SECONDS": "2.5",
            "CELLTRACE_CHECKPOINT_MILESTONES": ".Certified, .Shipped",
        }
    )
    assert chosen.checkpoint_every_events == 50
    assert chosen.checkpoint_every_seconds == 2.5
    assert chosen.checkpoint_milestones == (".Certified", ".Shipped")
    assert Settings.from_env({"CELLTRACE_CHECKPOINT_MILESTONES": ""}).checkpoint_milestones == ()


@pytest.mark.parametrize("value", ["0", "-3", "ten", "1.5"])
def test_r_led_4_bad_checkpoint_interval_is_refused(value: str) -> None:
    # When the event interval is not a positive whole number / Then refused, naming it
    with pytest.raises(InvalidInput, match="CELLTRACE_CHECKPOINT_EVERY_EVENTS"):
        Settings.from_env({"CELLTRACE_CHECKPOINT_EVERY_EVENTS": value})
