"""Temperature-logger files (R-SHP-1, R-SHP-2, R-SHP-4, §7.3.2): parsing the logger's CSV
export (`timestamp,temperature` lines) into readings, finding the readings outside the
required range (excursions) and the stretches without a reading longer than twice the logging
interval (gaps: the record is not complete there, which counts as an excursion).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import TypedDict

from ledger.domain.product_vial import TemperatureRange
from ledger.errors import InvalidInput
from ledger.messages import Sentence

_HEADER = ("timestamp", "temperature")


class Reading(TypedDict):
    at: datetime
    temp_c: float


def parse_logger_csv(text: str) -> list[Reading]:
    """The readings of a logger file: one `timestamp,temperature` line each (ISO 8601 time with
    its UTC offset, degrees Celsius); an optional header line and blank lines are skipped. A
    malformed line refuses the whole file, naming the line."""
    readings = []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = tuple(cell.strip() for cell in line.split(","))
        if cells == ("",) or (number == 1 and tuple(c.lower() for c in cells) == _HEADER):
            continue
        try:
            if len(cells) != 2:
                raise ValueError("expected two fields")
            at, temp_c = datetime.fromisoformat(cells[0]), float(cells[1])
            if at.utcoffset() is None:
                raise ValueError("the time lacks its UTC offset")
            if not math.isfinite(temp_c):  # nan and inf parse, but no logger measured them
                raise ValueError("the temperature is not a measured number")
        except ValueError as exc:
            raise InvalidInput(
                Sentence(
                    "R-SHP-1: line {number} of the logger file is not 'timestamp,temperature' "
                    "({problem}): {line!r}; export the file again with ISO 8601 times",
                    number=number,
                    problem=exc,
                    line=line[:80],
                )
            ) from None
        readings.append(Reading(at=at, temp_c=temp_c))
    if not readings:
        raise InvalidInput(Sentence("R-SHP-1: the logger file holds no readings"))
    return readings


def excursions(readings: Sequence[Reading], required: TemperatureRange) -> list[Reading]:
    """The readings outside the required range (R-SHP-2)."""
    return [r for r in readings if not required["min_c"] <= r["temp_c"] <= required["max_c"]]


class Gap(TypedDict):
    """A stretch with no reading longer than twice the logging interval (R-SHP-4)."""

    start: datetime
    end: datetime


def gaps(times: Sequence[datetime], start: datetime, interval_minutes: int) -> list[Gap]:
    """The gaps of a record that starts at `start` (dispatch) and holds readings at `times`:
    between `start` and the first reading, and between two readings. Readings before `start`
    do not count."""
    points = sorted({start, *(t for t in times if t >= start)})
    limit = timedelta(minutes=2 * interval_minutes)
    return [Gap(start=a, end=b) for a, b in pairwise(points) if b - a > limit]


def new_gaps(before: Sequence[Gap], after: Sequence[Gap]) -> list[Gap]:
    """The gaps of `after` not within a gap of `before` (found earlier): readings added later
    only split or shorten gaps, they never open one where the record was complete."""
    return [
        g
        for g in after
        if not any(b["start"] <= g["start"] and g["end"] <= b["end"] for b in before)
    ]


def stamp(at: datetime) -> str:
    """A reading's time as the messages say it (to the minute, with its UTC offset)."""
    return at.isoformat(timespec="minutes")


def minutes_of(gap: Gap) -> int:
    return round((gap["end"] - gap["start"]).total_seconds() / 60)


def outside_windows(
    readings: Sequence[Reading], required: TemperatureRange, rule: str
) -> list[Window]:
    """When the temperature was outside the range: each run of readings outside it, from the
    last reading inside before it (it may have left the range just after) to the first inside
    after it (or the run's own ends, at the record's edges)."""
    ordered = sorted(readings, key=lambda r: r["at"])
    inside = [required["min_c"] <= r["temp_c"] <= required["max_c"] for r in ordered]
    windows: list[Window] = []
    run_start: int | None = None
    for i, ok in enumerate([*inside, True]):
        if not ok and run_start is None:
            run_start = i
        elif ok and run_start is not None:
            first, last = max(run_start - 1, 0), min(i, len(ordered) - 1)
            windows.append(Window(start=ordered[first]["at"], end=ordered[last]["at"], rule=rule))
            run_start = None
    return windows


class Window(TypedDict):
    """When an excursion was (R-SHP-2, R-SHP-4, R-SHP-5), under which rule."""

    start: datetime
    end: datetime
    rule: str


@dataclass(frozen=True)
class TemperatureRecord:
    """A shipment's or storage unit's logger record as it is pictured: every reading, the
    allowed band, the gaps (R-SHP-4) and the excursion windows found. `start` and `end` mark
    the stretch the record must cover (a shipment's dispatch and receipt), when known."""

    code: str
    band: TemperatureRange
    interval_minutes: int | None
    readings: tuple[Reading, ...]
    gaps: tuple[Gap, ...]
    excursions: tuple[Window, ...]
    start: datetime | None = None
    end: datetime | None = None
