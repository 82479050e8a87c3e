"""The aggregate cache of the write path (R-LED-3): every rule is decided on the state stored
when the command's attempt began, without re-reading an aggregate nothing was appended to.

eventsourcing's repository fast-forwards a cached aggregate with a query for its newer events
on every `get`, and never caches what the application saved, so each command re-read and
re-decoded its own last events. Here each cached aggregate carries `mark`: a notification id
such that every event of the aggregate up to it is applied. A command's attempt
(`LedgerRepository.attempt`, opened by the application around each run of a command) reads
the ledger head - the highest notification id, any process's - once, on its first `get`.
A cached aggregate is current when nothing was appended after its mark up to that head, or
only this repository's own saves were (`ours`: a run of notification ids this repository
saved, each save cached before the run is extended to it); any other is fast-forwarded and
marked with that head. An aggregate the application saves, when it was cached, is cached
again with the last notification id of its save: the save succeeded, so no other writer
appended to it in between (its version would have conflicted). What an attempt loads is thus
the state stored when it read the head; a save that meets a newer version is refused as a
conflict and the command runs again, in a fresh attempt that reads the head again.

Outside an attempt (a read in the API), `get` fast-forwards as eventsourcing does. Every `get`
returns a copy (`LedgerAggregate.__deepcopy__`), taken under the repository's lock, so a
command that is refused or fails leaves the cache untouched; a fast-forward applies the new
events to a copy too, so a read-only caller given the cached aggregate itself
(`deepcopy_from_cache=False`) keeps a whole state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from copy import deepcopy
from threading import Lock
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository, project_aggregate
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import EventStore

#: Marks a cached aggregate whose events were never compared with a ledger head.
UNMARKED = -1


class Known:
    """A cached aggregate and the notification id up to which all its events are applied."""

    __slots__ = ("aggregate", "mark")

    def __init__(self, aggregate: Any, mark: int) -> None:
        self.aggregate = aggregate
        self.mark = mark


class LedgerRepository(Repository[UUID]):
    """eventsourcing's repository, with the cache kept current by the ledger head."""

    def __init__(
        self,
        event_store: EventStore[UUID],
        *,
        head: Callable[[], int],
        cache_maxsize: int | None,
    ) -> None:
        super().__init__(event_store, cache_maxsize=cache_maxsize, fastforward=True)
        self._read_head = head
        self._lock = Lock()  # the cache's entries and `_ours` change together
        self._ours = (0, 0)  # (first, last]: notification ids all saved here, each cached
        self._attempt: ContextVar[list[int] | None] = ContextVar(
            f"ledger_head_{id(self)}", default=None
        )

    @contextmanager
    def attempt(self, *, fresh: bool = False) -> Iterator[None]:
        """One attempt of a command: the ledger head is read once, on the first `get`. A
        command run within another's attempt shares its head, unless `fresh` (a retry after
        a conflict reads the head again)."""
        outer = self._attempt.get()
        token = self._attempt.set(outer if outer is not None and not fresh else [])
        try:
            yield
        finally:
            self._attempt.reset(token)

    def _head(self) -> int | None:
        """The head this attempt reads the ledger at (None outside an attempt)."""
        read = self._attempt.get()
        if read is None:
            return None
        if not read:
            read.append(self._read_head())
        return read[0]

    def get(
        self,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        projector_func: Any = project_aggregate,
        fastforward_skipping: bool = False,
        deepcopy_from_cache: bool = True,
    ) -> Any:
        if self.cache is None or version is not None or projector_func is not project_aggregate:
            return super().get(
                aggregate_id,
                version=version,
                projector_func=projector_func,
                fastforward_skipping=fastforward_skipping,
                deepcopy_from_cache=deepcopy_from_cache,
            )
        head = self._head()
        with self._lock:
            known = self._current(aggregate_id, head)
            if deepcopy_from_cache and self.deepcopy_from_cache:
                return deepcopy(known.aggregate)
            return known.aggregate

    def _current(self, aggregate_id: UUID, head: int | None) -> Known:
        """The cached aggregate with every event up to `head` (all events when None)."""
        assert self.cache is not None
        try:
            known: Known = self.cache.get(aggregate_id)  # type: ignore[assignment]
        except KeyError:
            # The head was read before the events: all events up to it are in them.
            aggregate: Any = self._reconstruct_aggregate(aggregate_id, None, project_aggregate)  # type: ignore[arg-type]
            known = Known(aggregate, UNMARKED if head is None else head)
            self.cache.put(aggregate_id, known)  # type: ignore[arg-type]
            return known
        if head is not None:
            first, last = self._ours
            if known.mark >= head or (first <= known.mark and head <= last):
                return known  # nothing appended since its mark, or only what was saved here
        newer = list(self.event_store.get(originator_id=aggregate_id, gt=known.aggregate.version))
        if not newer:
            aggregate = known.aggregate
        else:  # onto a copy: a reader given the cached aggregate itself keeps a whole state
            aggregate = project_aggregate(deepcopy(known.aggregate), newer)
        if aggregate is None:
            raise AggregateNotFoundError(aggregate_id)
        known.aggregate = aggregate
        if head is not None:
            known.mark = head
        return known

    def saved(self, aggregates: Iterable[Aggregate], first_id: int, last_id: int) -> None:
        """Cache a copy of each aggregate just saved that was cached before (a new one, such
        as each vial of a new bank, is read from the store if it is ever loaded), whose save
        took notification ids `first_id` to `last_id`: all of its events up to there are
        applied. Then the run of ids saved here extends to `last_id` (or starts again when
        another writer's events came between)."""
        if self.cache is None:
            return
        with self._lock:
            for aggregate in aggregates:
                try:
                    cached: Known = self.cache.get(aggregate.id)  # type: ignore[assignment]
                except KeyError:
                    continue
                if cached.aggregate.version < aggregate.version:
                    self.cache.put(aggregate.id, Known(deepcopy(aggregate), last_id))  # type: ignore[arg-type]
            first, last = self._ours
            self._ours = (first if first_id == last + 1 else first_id - 1, last_id)
