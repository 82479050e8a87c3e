"""R-SHP-4, R-SHP-5: the temperature chart of a logger record, parsed as real XML: the allowed
band, readings outside it, gaps, excursion windows, dispatch/receipt, both languages, an empty
record and a long one."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import pytest

from ledger.api.pages.i18n import MESSAGES
from ledger.api.pages.temperature_svg import render
from ledger.domain.temperature_log import Gap, Reading, TemperatureRecord, Window

NS = "{http://www.w3.org/2000/svg}"
TZ = timezone(timedelta(hours=8))
T0 = datetime(2024, 3, 2, 9, 0, tzinfo=TZ)
BAND = {"min_c": 2.0, "max_c": 8.0}
LEGEND_KEYS = ("chart.band", "chart.readings", "chart.outside", "chart.gap", "chart.excursion")


def _readings(temps: Sequence[float], every: int = 10, start: datetime = T0) -> tuple[Reading, ...]:
    return tuple(
        Reading(at=start + timedelta(minutes=every * i), temp_c=v) for i, v in enumerate(temps)
    )


def _record(
    readings: Sequence[Reading],
    gaps: Sequence[Gap] = (),
    excursions: Sequence[Window] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    code: str = "SHP-000001",
) -> TemperatureRecord:
    return TemperatureRecord(
        code=code,
        band={"min_c": BAND["min_c"], "max_c": BAND["max_c"]},
        interval_minutes=10,
        readings=tuple(readings),
        gaps=tuple(gaps),
        excursions=tuple(excursions),
        start=start,
        end=end,
    )


def _svg(record: TemperatureRecord, language: str = "en") -> ET.Element:
    return ET.fromstring(render(record, language))  # raises unless well-formed


def _all(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(NS + tag) if e.get("class") == cls]


def _one(root: ET.Element, tag: str, cls: str) -> ET.Element:
    found = _all(root, tag, cls)
    assert len(found) == 1, (tag, cls, len(found))
    return found[0]


def _title(element: ET.Element) -> str:
    title = element.find(NS + "title")
    assert title is not None and title.text
    return title.text


def _line_points(root: ET.Element) -> list[tuple[str, float, float]]:
    d = _one(root, "path", "readings").get("d", "")
    return [(c, float(x), float(y)) for c, x, y in re.findall(r"([ML])([-\d.]+),([-\d.]+)", d)]


def _words(root: ET.Element) -> list[str]:
    """Every text a reader sees or hears: labels, titles, the description."""
    return [
        text
        for e in root.iter()
        if e.tag in (NS + "text", NS + "title", NS + "desc")
        for text in [e.text]
        if text
    ]


def _temperature_y(root: ET.Element) -> dict[float, float]:
    """The y of each labelled °C tick."""
    return {float(e.text or ""): float(e.get("y", "")) - 3.5 for e in _all(root, "text", "temp")}


def test_r_shp_5_chart_scales_to_its_container_and_names_the_code() -> None:
    root = _svg(_record(_readings([5, 6, 5]), code="SHP-000777"))
    assert root.tag == NS + "svg" and root.get("class") == "temperature"
    assert root.get("role") == "img" and root.get("width") == "100%"
    assert root.get("viewBox") == "0 0 720 300" and root.get("preserveAspectRatio")
    assert root.get("height") is None
    assert "SHP-000777" in (root.findtext(NS + "title") or "")
    desc = root.findtext(NS + "desc") or ""
    assert "Readings: 3" in desc and "2 to 8 °C" in desc and "UTC+08:00" in desc


def test_r_shp_5_allowed_band_is_shaded_between_its_labelled_limits() -> None:
    root = _svg(_record(_readings([5, 6, 5, 4])))
    band = _one(root, "rect", "band")
    y_of = _temperature_y(root)
    top, bottom = float(band.get("y", "")), float(band.get("y", "")) + float(band.get("height", ""))
    assert top == pytest.approx(y_of[8], abs=0.2) and bottom == pytest.approx(y_of[2], abs=0.2)
    assert "green" in band.get("fill", "") or band.get("fill") == "#2e7d32"
    words = _words(root)
    assert "max 8 °C" in words and "min 2 °C" in words


def test_r_shp_5_y_axis_covers_the_band_and_every_reading() -> None:
    root = _svg(_record(_readings([5, 14.5, -3, 6])))
    ticks = sorted(_temperature_y(root))
    assert 4 <= len(ticks) <= 7
    assert ticks[0] < -3 and ticks[-1] > 14.5
    ys = [y for _, _, y in _line_points(root)]
    assert min(ys) >= min(_temperature_y(root).values()) - 0.1
    assert max(ys) <= max(_temperature_y(root).values()) + 0.1


def test_r_shp_5_only_readings_outside_the_band_get_a_red_circle() -> None:
    root = _svg(_record(_readings([5, 9.5, 6, 1, 8, 2])))
    circles = _all(root, "circle", "outside")
    assert [_title(c) for c in circles] == [
        "9.5 °C at 2024-03-02 09:10",
        "1 °C at 2024-03-02 09:30",
    ]
    line = _line_points(root)
    assert len(line) == 6
    for circle, (_, x, y) in zip(circles, (line[1], line[3]), strict=True):
        assert float(circle.get("cx", "")) == x and float(circle.get("cy", "")) == y


def test_r_shp_4_a_gap_is_hatched_across_its_times() -> None:
    readings = _readings([5] * 7) + _readings([5] * 7, start=T0 + timedelta(minutes=180))
    gap = Gap(start=T0 + timedelta(minutes=60), end=T0 + timedelta(minutes=180))
    root = _svg(_record(readings, gaps=[gap]))
    rect = _one(root, "rect", "gap")
    line = _line_points(root)
    first_x, last_x = line[0][1], line[-1][1]  # 09:00 and 13:00
    per_minute = (last_x - first_x) / 240
    assert float(rect.get("x", "")) == pytest.approx(first_x + 60 * per_minute, abs=0.5)
    assert float(rect.get("width", "")) == pytest.approx(120 * per_minute, abs=0.5)
    assert _title(rect) == "no reading from 2024-03-02 10:00 to 2024-03-02 12:00"
    hatch = re.fullmatch(r"url\(#(.+)\)", rect.get("fill", ""))
    assert hatch is not None
    assert any(p.get("id") == hatch.group(1) for p in root.iter(NS + "pattern"))


def test_r_shp_4_the_reading_line_is_broken_across_a_gap() -> None:
    readings = _readings([5] * 7) + _readings([5] * 7, start=T0 + timedelta(minutes=180))
    gap = Gap(start=T0 + timedelta(minutes=60), end=T0 + timedelta(minutes=180))
    assert [c for c, _, _ in _line_points(_svg(_record(readings)))].count("M") == 1
    commands = [c for c, _, _ in _line_points(_svg(_record(readings, gaps=[gap])))]
    assert commands.count("M") == 2 and commands[7] == "M"


def test_r_shp_5_an_excursion_window_is_outlined_with_its_rule() -> None:
    window = Window(
        start=T0 + timedelta(minutes=20), end=T0 + timedelta(minutes=40), rule="R-SHP-2"
    )
    root = _svg(_record(_readings([5, 6, 9, 9.5, 9, 6, 5]), excursions=[window]))
    rect = _one(root, "rect", "excursion")
    assert rect.get("data-rule") == "R-SHP-2"
    assert _title(rect) == "excursion (R-SHP-2) from 2024-03-02 09:20 to 2024-03-02 09:40"
    line = _line_points(root)
    assert float(rect.get("x", "")) == pytest.approx(line[2][1], abs=0.1)
    assert float(rect.get("x", "")) + float(rect.get("width", "")) == pytest.approx(
        line[4][1], abs=0.2
    )


def test_r_shp_5_dispatch_and_receipt_are_marked_only_when_given() -> None:
    readings = _readings([5, 6, 5])
    storage = _svg(_record(readings))
    assert _all(storage, "g", "marker") == []
    start, end = T0 - timedelta(minutes=30), T0 + timedelta(minutes=50)
    shipment = _svg(_record(readings, start=start, end=end))
    markers = _all(shipment, "g", "marker")
    assert [m.findtext(NS + "text") for m in markers] == ["dispatch", "receipt"]
    assert [_title(m) for m in markers] == [
        "dispatch: 2024-03-02 08:30",
        "receipt: 2024-03-02 09:50",
    ]
    lines = [m.find(NS + "line") for m in markers]
    assert all(x is not None and x.get("stroke-dasharray") for x in lines)  # dashed
    xs = [float(x.get("x1", "")) for x in lines if x is not None]
    line = _line_points(shipment)
    assert xs[0] < line[0][1] and line[-1][1] < xs[1]  # the readings lie between them


def test_r_shp_5_time_ticks_are_few_and_in_the_readings_own_offset() -> None:
    spans = (timedelta(hours=1), timedelta(days=1), timedelta(days=30), timedelta(days=800))
    for span in spans:
        readings = (Reading(at=T0, temp_c=5), Reading(at=T0 + span, temp_c=5))
        labels = [e.text for e in _all(_svg(_record(readings)), "text", "time")]
        assert 4 <= len(labels) <= 7, (span, labels)
        assert len(set(labels)) == len(labels), labels
    day = _svg(_record((Reading(at=T0, temp_c=5), Reading(at=T0 + timedelta(days=1), temp_c=5))))
    labels = [e.text or "" for e in _all(day, "text", "time")]
    assert "03-02 12:00" in labels  # 04:00 UTC, shown at the logger's +08:00
    assert any("UTC+08:00" in w for w in _words(day))


def test_r_shp_5_legend_names_each_element_in_english() -> None:
    root = _svg(_record(_readings([5, 9, 5])))
    legend = _one(root, "g", "legend")
    assert [e.text for e in legend.iter(NS + "text")] == [
        "allowed range",
        "readings",
        "outside range",
        "no reading",
        "excursion",
    ]


def test_r_shp_5_chinese_chart_has_chinese_words_and_no_english_ones() -> None:
    readings = _readings([5] * 4 + [9.5] + [5] * 2) + _readings(
        [5] * 3, start=T0 + timedelta(hours=5)
    )
    record = _record(
        readings,
        gaps=[Gap(start=T0 + timedelta(minutes=60), end=T0 + timedelta(hours=5))],
        excursions=[Window(start=readings[4]["at"], end=readings[4]["at"], rule="R-SHP-2")],
        start=T0 - timedelta(minutes=5),
        end=T0 + timedelta(hours=6),
    )
    root = _svg(record, "zh")
    words = " ".join(_words(root))
    for chinese in ("允许范围", "读数", "超出范围", "无读数", "温度偏离", "发运", "接收"):
        assert chinese in words, chinese
    legend = [e.text for e in _one(root, "g", "legend").iter(NS + "text")]
    assert legend == [MESSAGES[key]["zh"] for key in LEGEND_KEYS]
    english = [MESSAGES[key]["en"] for key in (*LEGEND_KEYS, "chart.dispatch", "chart.receipt")]
    for word in (*english, "from", "at", "max", "min", "time"):
        assert not re.search(rf"\b{word}\b", words, re.IGNORECASE), word


def test_r_shp_5_an_empty_record_says_no_readings_recorded_yet() -> None:
    for language, message in (("en", "No readings recorded yet"), ("zh", "尚无读数记录")):
        root = _svg(_record(()), language)
        assert _one(root, "text", "empty").text == message
        assert _all(root, "path", "readings") == []
        assert message in (root.findtext(NS + "desc") or "")


def test_r_shp_5_every_text_is_escaped() -> None:
    code, rule = 'STU-<1>&"2"', "R-SHP-2 <b>&'x'"
    window = Window(start=T0, end=T0 + timedelta(minutes=10), rule=rule)
    text = render(_record(_readings([5, 9]), excursions=[window], code=code))
    assert "<b>" not in text
    root = ET.fromstring(text)
    assert code in (root.findtext(NS + "title") or "")
    assert _one(root, "rect", "excursion").get("data-rule") == rule
    assert text == render(_record(_readings([5, 9]), excursions=[window], code=code))


def test_r_shp_5_a_long_record_is_downsampled_keeping_peaks_and_every_outside_reading() -> None:
    temps = [4 + (i % 600) / 200 for i in range(100_000)]  # 4 to 7 °C, a slow sawtooth
    spikes = {12_345: 15.0, 50_000: -4.0, 87_654: 12.0}
    for i, temp in spikes.items():
        temps[i] = temp
    text = render(_record(_readings(temps, every=5)))
    assert len(text.encode()) < 200_000
    root = ET.fromstring(text)
    line = _line_points(root)
    assert len(line) <= 1500
    circles = _all(root, "circle", "outside")
    assert len(circles) == 3
    y_of = _temperature_y(root)
    (t0, y0), (t1, y1) = sorted(y_of.items())[:2]
    ys = [y for _, _, y in line]
    assert min(ys) == pytest.approx(y0 + (15 - t0) * (y1 - y0) / (t1 - t0), abs=0.2)
    assert max(ys) == pytest.approx(y0 + (-4 - t0) * (y1 - y0) / (t1 - t0), abs=0.2)


def test_r_shp_5_circles_are_capped_at_the_readings_furthest_outside() -> None:
    temps = [9 + (i % 100) / 10 for i in range(3000)]  # all outside, 9 to 18.9 °C
    root = _svg(_record(_readings(temps, every=5)))
    circles = _all(root, "circle", "outside")
    assert len(circles) == 500
    assert all(float(_title(c).split(" ")[0]) >= 17.2 for c in circles)
    desc = root.findtext(NS + "desc") or ""
    assert "Outside the range: 3000" in desc and "500 readings furthest outside" in desc
