"""A temperature-logger record as an SVG chart, for the shipment and storage-unit pages (R-SHP-2,
R-SHP-4, R-SHP-5): time left to right and °C bottom to top, the allowed band shaded green with
its limits, the readings as one line with those outside the band as red dots, the gaps without a
reading hatched grey, the excursion windows outlined in red, and a shipment's dispatch and
receipt as dashed lines. Times are shown in the readings' own UTC offset.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from html import escape

from ledger.api.pages.i18n import translator
from ledger.domain.temperature_log import Reading, TemperatureRecord, excursions

WIDTH, HEIGHT = 720, 300
X0, X1 = 56, 640  # the plot's left and right edges; band limits are labelled right of X1
Y0, Y1 = 26, 232  # the plot's top and bottom edges; time labels and legend below Y1
MAX_LINE_POINTS = 1500  # the line keeps each column's lowest and highest reading beyond this
MAX_CIRCLES = 500  # beyond this, only the readings furthest outside the band get a dot
BAND_FILL, BAND_STROKE = "#2e7d32", "#2e7d32"
LINE, OUTSIDE, GAP, AXIS, GRID = "#1f4e9e", "#c62828", "#8a8a8a", "#5f6b7a", "#e3e7ed"

# Candidate time steps: (approximate seconds, unit, count of units), finest first.
_STEPS: tuple[tuple[float, str, int], ...] = (
    *((60.0 * m, "minute", m) for m in (1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 480, 720)),
    *((86400.0 * d, "day", d) for d in (1, 2, 3, 7, 14)),
    *((86400.0 * 30.4 * m, "month", m) for m in (1, 2, 3, 6)),
    *((86400.0 * 365.25 * y, "year", y) for y in (1, 2, 5, 10, 20, 50, 100)),
)
_LABEL_FORMAT = {"minute": "%m-%d %H:%M", "day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


def _at(reading: Reading) -> datetime:
    return reading["at"]


def _number(value: float) -> str:
    return f"{round(value, 6) + 0.0:g}"


def _offset(tz: tzinfo) -> str:
    """`+08:00` for the zone of the readings."""
    delta = datetime(2000, 1, 1, tzinfo=tz).utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _text_width(text: str, size: float) -> float:
    """A rough width of `text` at font `size`, wide characters (Chinese) counting double."""
    return sum(size if ord(c) > 0x2E7F else size * 0.58 for c in text)


def _ticks_of(unit: str, count: int, first: datetime, last: datetime, tz: tzinfo) -> list[datetime]:
    """The round times in [first, last], every `count` `unit`s, in zone `tz`."""
    local = first.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    ticks: list[datetime] = []
    if unit == "minute":
        elapsed = (local - midnight).total_seconds() / 60
        tick = midnight + timedelta(minutes=math.ceil(elapsed / count) * count)
        while tick <= last:
            ticks.append(tick)
            tick += timedelta(minutes=count)
    elif unit == "day":
        tick = midnight if midnight >= local else midnight + timedelta(days=1)
        while (tick.toordinal() - 1) % count:  # ordinal 1 is a Monday: weeks start on Mondays
            tick += timedelta(days=1)
        while tick <= last:
            ticks.append(tick)
            tick += timedelta(days=count)
    else:
        months = 12 * count if unit == "year" else count
        index = local.year * 12 + local.month - 1
        if local > midnight.replace(day=1):
            index += 1
        index += -index % months
        while True:
            tick = datetime(index // 12, index % 12 + 1, 1, tzinfo=tz)
            if tick > last:
                break
            ticks.append(tick)
            index += months
    return ticks


def _time_ticks(first: datetime, last: datetime, tz: tzinfo) -> list[tuple[datetime, str]]:
    """4 to 7 round times across [first, last], each with its label."""
    pad = (last - first) * 0.025  # room for the dispatch and receipt lines at the ends
    first, last = first - pad, last + pad
    span = (last - first).total_seconds()
    previous: tuple[list[datetime], str] | None = None
    for seconds, unit, count in _STEPS:
        if span / seconds > 16:
            continue
        ticks, fmt = _ticks_of(unit, count, first, last, tz), _LABEL_FORMAT[unit]
        if len(ticks) <= 7:
            if len(ticks) < 4 and previous is not None:  # too few: every other of the finer
                ticks, fmt = previous[0][::2], previous[1]
            return [(t, t.strftime(fmt)) for t in ticks]
        previous = (ticks, fmt)
    return [(t.astimezone(tz), t.astimezone(tz).strftime("%Y")) for t in (first, last)]


def _temperature_ticks(low: float, high: float) -> tuple[float, float, float]:
    """A round step and the range [low, high] widened to a multiple of it, 4 to 7 ticks."""
    magnitude = 10.0 ** math.floor(math.log10((high - low) / 5))
    step, bottom, top = magnitude, low, high
    for factor in (1, 2, 2.5, 5, 10, 20):
        step = factor * magnitude
        bottom, top = math.floor(low / step) * step, math.ceil(high / step) * step
        if round((top - bottom) / step) + 1 <= 7:
            break
    return step, bottom, top


def _line_points(readings: Sequence[Reading], x_of: Callable[[datetime], float]) -> list[int]:
    """The indexes of the readings the line goes through: every one for a short record, else
    each pixel column's lowest and highest, so peaks survive downsampling."""
    if len(readings) <= MAX_LINE_POINTS:
        return list(range(len(readings)))
    columns = MAX_LINE_POINTS // 2
    kept: list[int] = []
    column, low, high = -1, 0, 0
    for i, r in enumerate(readings):
        c = min(int((x_of(r["at"]) - X0) / (X1 - X0) * columns), columns - 1)
        if c != column:
            if column >= 0:
                kept.extend(sorted({low, high}))
            column, low, high = c, i, i
        elif r["temp_c"] < readings[low]["temp_c"]:
            low = i
        elif r["temp_c"] > readings[high]["temp_c"]:
            high = i
    kept.extend(sorted({low, high}))
    return kept


def _legend(t: Callable[[str], str], hatch: str) -> str:
    swatches = (
        (
            "band",
            f'<rect width="14" height="10" fill="{BAND_FILL}" fill-opacity="0.18" '
            f'stroke="{BAND_STROKE}" stroke-width="0.8"/>',
        ),
        (
            "readings",
            f'<line x1="0" y1="5" x2="14" y2="5" stroke="{LINE}" stroke-width="1.6"/>',
        ),
        ("outside", f'<circle cx="7" cy="5" r="3.2" fill="{OUTSIDE}"/>'),
        (
            "gap",
            f'<rect width="14" height="10" fill="url(#{hatch})" stroke="{GAP}" '
            'stroke-width="0.8"/>',
        ),
        (
            "excursion",
            f'<rect width="14" height="10" fill="{OUTSIDE}" fill-opacity="0.08" '
            f'stroke="{OUTSIDE}" stroke-width="1.2"/>',
        ),
    )
    parts, x = ['<g class="legend">'], float(X0)
    for key, swatch in swatches:
        label = t(f"chart.{key}")
        parts.append(
            f'<g transform="translate({x:.0f},{HEIGHT - 20})">{swatch}'
            f'<text x="19" y="10">{escape(label)}</text></g>'
        )
        x += 19 + _text_width(label, 12) + 20
    parts.append("</g>")
    return "".join(parts)


def render(record: TemperatureRecord, language: str = "en") -> str:
    """Picture `record` and return standalone SVG markup, its words in `language`. It scales
    to its container's width (fixed 720x300 viewBox)."""
    t = translator(language)
    readings = sorted(record.readings, key=_at)
    band_min, band_max = record.band["min_c"], record.band["max_c"]
    band_text = t("chart.desc_band").format(min=_number(band_min), max=_number(band_max))
    hatch = "gap-hatch-" + re.sub(r"[^A-Za-z0-9_-]", "_", record.code)
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="temperature" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet" '
        'font-family="sans-serif" font-size="12">',
        f"<title>{escape(t('chart.title').format(code=record.code))}</title>",
    ]
    if not readings:
        sep = "" if language == "zh" else " "
        parts.append(f"<desc>{escape(t('chart.empty_desc') + sep + band_text)}</desc>")
        parts.append(
            f'<rect x="1" y="1" width="{WIDTH - 2}" height="{HEIGHT - 2}" rx="6" fill="#fafbfc" '
            f'stroke="{GRID}"/>'
            f'<text class="empty" x="{WIDTH / 2}" y="{HEIGHT / 2 - 6}" text-anchor="middle" '
            f'font-size="18" fill="{AXIS}">{escape(t("chart.empty"))}</text>'
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2 + 18}" text-anchor="middle" fill="{AXIS}">'
            f"{escape(band_text)}</text></svg>"
        )
        return "".join(parts)

    # The first reading's UTC offset, fixed (the logger's clock, not a zone's summer time).
    tz = timezone(readings[0]["at"].utcoffset() or timedelta(0))
    offset = _offset(tz)

    def when(at: datetime) -> str:
        return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")

    # Time axis: every reading, gap, excursion and the dispatch/receipt.
    moments = [readings[0]["at"], readings[-1]["at"]]
    moments += [g[k] for g in record.gaps for k in ("start", "end")]
    moments += [w[k] for w in record.excursions for k in ("start", "end")]
    moments += [m for m in (record.start, record.end) if m is not None]
    first, last = min(moments), max(moments)
    if last - first < timedelta(hours=1):  # a single reading, or a few: an hour around them
        middle = first + (last - first) / 2
        first, last = middle - timedelta(minutes=30), middle + timedelta(minutes=30)
    pad = (last - first) * 0.025  # room for the dispatch and receipt lines at the ends
    first, last = first - pad, last + pad
    span = (last - first).total_seconds()

    def x_of(at: datetime) -> float:
        return X0 + (at - first).total_seconds() / span * (X1 - X0)

    # Temperature axis: the band and every reading, with a margin.
    low = min(band_min, min(r["temp_c"] for r in readings))
    high = max(band_max, max(r["temp_c"] for r in readings))
    margin = max((high - low) * 0.1, 0.5)
    step, bottom, top = _temperature_ticks(low - margin, high + margin)

    def y_of(temp_c: float) -> float:
        return Y1 - (temp_c - bottom) / (top - bottom) * (Y1 - Y0)

    outside = excursions(readings, record.band)

    def beyond(r: Reading) -> float:
        return max(band_min - r["temp_c"], r["temp_c"] - band_max)

    circled = outside
    if len(outside) > MAX_CIRCLES:
        circled = sorted(sorted(outside, key=beyond, reverse=True)[:MAX_CIRCLES], key=_at)

    desc = [
        t("chart.desc_readings").format(
            count=len(readings),
            first=when(readings[0]["at"]),
            last=when(readings[-1]["at"]),
            offset=offset,
        ),
        band_text,
        t("chart.desc_counts").format(
            outside=len(outside), excursions=len(record.excursions), gaps=len(record.gaps)
        ),
    ]
    if len(circled) < len(outside):
        desc.append(t("chart.desc_capped").format(shown=len(circled)))
    if record.start is not None:
        desc.append(t("chart.desc_dispatch").format(at=when(record.start)))
    if record.end is not None:
        desc.append(t("chart.desc_receipt").format(at=when(record.end)))
    sep = "" if language == "zh" else " "  # Chinese sentences end in a full-width stop
    parts.append(f"<desc>{escape(sep.join(desc))}</desc>")
    parts.append(
        f'<defs><pattern id="{hatch}" patternUnits="userSpaceOnUse" width="6" height="6" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f1f1f1"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{GAP}" stroke-width="2"/></pattern></defs>'
    )

    # Grid and tick labels.
    grid = [f'<g class="grid" stroke="{GRID}" stroke-width="1">']
    labels = [f'<g class="ticks" fill="{AXIS}">']
    for i in range(round((top - bottom) / step) + 1):
        value = bottom + i * step
        y = y_of(value)
        grid.append(f'<line x1="{X0}" y1="{y:.1f}" x2="{X1}" y2="{y:.1f}"/>')
        labels.append(
            f'<text class="temp" x="{X0 - 6}" y="{y + 3.5:.1f}" text-anchor="end">'
            f"{_number(value)}</text>"
        )
    for at, label in _time_ticks(first, last, tz):
        x = x_of(at)
        grid.append(f'<line x1="{x:.1f}" y1="{Y0}" x2="{x:.1f}" y2="{Y1}"/>')
        labels.append(
            f'<text class="time" x="{x:.1f}" y="{Y1 + 15}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    labels.append(f'<text x="{X0 - 6}" y="{Y0 - 10}" text-anchor="end">°C</text>')
    labels.append(
        f'<text x="{(X0 + X1) / 2:.0f}" y="{Y1 + 31}" text-anchor="middle">'
        f"{escape(t('chart.time').format(offset=offset))}</text>"
    )
    parts += [*grid, "</g>"]

    # The allowed band, its limits labelled right of the plot (kept apart when close).
    y_max, y_min = y_of(band_max), y_of(band_min)
    label_max, label_min = min(y_max, (y_max + y_min) / 2 - 6), max(y_min, (y_max + y_min) / 2 + 6)
    parts.append(
        f'<g class="limits"><rect class="band" x="{X0}" y="{y_max:.1f}" width="{X1 - X0}" '
        f'height="{max(y_min - y_max, 1):.1f}" fill="{BAND_FILL}" fill-opacity="0.14" '
        f'stroke="{BAND_STROKE}" stroke-width="1" stroke-dasharray="5 3">'
        f"<title>{escape(band_text)}</title></rect>"
        f'<text x="{X1 + 5}" y="{label_max + 3.5:.1f}" fill="{BAND_STROKE}" font-size="10">'
        f"{escape(t('chart.band_max').format(value=_number(band_max)))}</text>"
        f'<text x="{X1 + 5}" y="{label_min + 3.5:.1f}" fill="{BAND_STROKE}" font-size="10">'
        f"{escape(t('chart.band_min').format(value=_number(band_min)))}</text></g>"
    )

    for gap in record.gaps:
        x, w = x_of(gap["start"]), max(x_of(gap["end"]) - x_of(gap["start"]), 1.5)
        title = t("chart.gap_title").format(start=when(gap["start"]), end=when(gap["end"]))
        parts.append(
            f'<rect class="gap" x="{x:.1f}" y="{Y0}" width="{w:.1f}" height="{Y1 - Y0}" '
            f'fill="url(#{hatch})" fill-opacity="0.8" stroke="{GAP}" stroke-width="0.8">'
            f"<title>{escape(title)}</title></rect>"
        )
    for window in record.excursions:
        x = x_of(window["start"])
        w = max(x_of(window["end"]) - x, 2)
        title = t("chart.excursion_title").format(
            rule=window["rule"], start=when(window["start"]), end=when(window["end"])
        )
        parts.append(
            f'<rect class="excursion" data-rule="{escape(window["rule"])}" x="{x:.1f}" '
            f'y="{Y0}" width="{w:.1f}" height="{Y1 - Y0}" fill="{OUTSIDE}" fill-opacity="0.08" '
            f'stroke="{OUTSIDE}" stroke-width="1.2"><title>{escape(title)}</title></rect>'
        )

    # The readings: one path, broken where the record has a gap.
    ordered_gaps = sorted(record.gaps, key=lambda g: g["start"])
    gap_starts = [g["start"] for g in ordered_gaps]
    path: list[str] = []
    previous: datetime | None = None
    for i in _line_points(readings, x_of):
        at, temp_c = readings[i]["at"], readings[i]["temp_c"]
        k = bisect_left(gap_starts, at) - 1  # the last gap starting before this reading
        joined = previous is not None and not (
            k >= 0 and gap_starts[k] >= previous and ordered_gaps[k]["end"] <= at
        )
        path.append(f"{'L' if joined else 'M'}{x_of(at):.1f},{y_of(temp_c):.1f}")
        previous = at
    parts.append(
        f'<path class="readings" d="{"".join(path)}" fill="none" stroke="{LINE}" '
        'stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round"/>'
    )
    for r in circled:
        title = t("chart.reading_at").format(value=_number(r["temp_c"]), at=when(r["at"]))
        parts.append(
            f'<circle class="outside" cx="{x_of(r["at"]):.1f}" cy="{y_of(r["temp_c"]):.1f}" '
            f'r="3.2" fill="{OUTSIDE}" stroke="#fff" stroke-width="0.8">'
            f"<title>{escape(title)}</title></circle>"
        )

    # Dispatch and receipt.
    for moment, key, anchor, dx in (
        (record.start, "chart.dispatch", "start", 4),
        (record.end, "chart.receipt", "end", -4),
    ):
        if moment is None:
            continue
        x = x_of(moment)
        title = t("chart.marker_title").format(label=t(key), at=when(moment))
        parts.append(
            f'<g class="marker"><title>{escape(title)}</title>'
            f'<line x1="{x:.1f}" y1="{Y0 - 14}" x2="{x:.1f}" y2="{Y1}" stroke="#37474f" '
            'stroke-width="1.4" stroke-dasharray="6 4"/>'
            f'<text x="{x + dx:.1f}" y="{Y0 - 6}" text-anchor="{anchor}" fill="#37474f" '
            f'font-weight="bold">{escape(t(key))}</text></g>'
        )

    parts.append(
        f'<rect x="{X0}" y="{Y0}" width="{X1 - X0}" height="{Y1 - Y0}" fill="none" '
        f'stroke="{AXIS}" stroke-width="1"/>'
    )
    parts += [*labels, "</g>", _legend(t, hatch), "</svg>"]
    return "".join(parts)
