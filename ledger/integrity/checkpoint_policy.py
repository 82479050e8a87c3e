"""When the worker signs checkpoints of the Merkle log (R-LED-4): every N new events, every T
seconds when there are new events, and right after a milestone event (QA certification, QP
release...), matched by the suffix of the event class name at the end of its topic.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol

from sqlalchemy import Engine

from ledger.config import Settings
from ledger.integrity.checkpoints import Checkpoints, StoredCheckpoint
from ledger.integrity.merkle_log import Integrated


class CheckpointSigner(Protocol):
    """What the policy needs of `checkpoints.Checkpoints`."""

    def latest(self) -> StoredCheckpoint | None: ...
    def tree_size(self) -> int: ...
    def sign(self) -> tuple[StoredCheckpoint, bool]: ...


class PeriodicCheckpoints:
    """The worker's checkpoint policy, told what each Merkle batch integrated (or None on an
    idle tick): sign after `every_events` new leaves, after `every_seconds` with new leaves,
    and right after an event whose topic ends with a milestone suffix (e.g. `.ReleasedForUse`,
    the site QP's release)."""

    def __init__(
        self,
        checkpoints: CheckpointSigner,
        *,
        every_events: int,
        every_seconds: float,
        milestones: Sequence[str] = (),
        clock: Callable[[], float] = time.monotonic,
        on_signed: Callable[[StoredCheckpoint], object] | None = None,
    ) -> None:
        self.checkpoints = checkpoints
        self.on_signed = on_signed
        self.every_events = every_events
        self.every_seconds = every_seconds
        self.milestones = tuple(milestones)
        self.clock = clock
        self._signed_size: int | None = None
        self._size = 0
        self._since = clock()

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        engine: Engine,
        on_signed: Callable[[StoredCheckpoint], object] | None = None,
    ) -> PeriodicCheckpoints:
        return cls(
            Checkpoints(settings, engine),
            every_events=settings.checkpoint_every_events,
            every_seconds=settings.checkpoint_every_seconds,
            milestones=settings.checkpoint_milestones,
            on_signed=on_signed,
        )

    def is_milestone(self, topic: str) -> bool:
        """Whether the event class name (the topic's end) ends with a milestone suffix."""
        return topic.endswith(self.milestones) if self.milestones else False

    def __call__(self, done: Integrated | None) -> StoredCheckpoint | None:
        if self._signed_size is None:
            latest = self.checkpoints.latest()
            self._signed_size = latest.size if latest else 0
            self._size = self.checkpoints.tree_size()
        milestone = False
        if done is not None:
            self._size = max(self._size, done.end)
            milestone = any(self.is_milestone(t) for t in done.topics)
        now = self.clock()
        grown = self._size - self._signed_size
        if grown <= 0 or not (
            milestone or grown >= self.every_events or now - self._since >= self.every_seconds
        ):
            return None
        checkpoint, new = self.checkpoints.sign()
        self._signed_size, self._since = checkpoint.size, now
        if new and self.on_signed is not None:
            self.on_signed(checkpoint)
        return checkpoint
