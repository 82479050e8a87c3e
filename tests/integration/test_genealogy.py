"""R-TRC-1, R-TRC-2, R-DON-7 on a generated Domain I ledger: trace up and down, look-back and
material recall lists, each checked against an independent breadth-first traversal of the
stored events (the links every item records about itself, not the read model and not the
`ItemsDerived` events the read model is built from). SQLite and PostgreSQL (`settings`)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from eventsourcing.domain import CanInitAggregate
from sqlalchemy import Engine

from bench.generate import SERUM, Generator, Lineage, Shape
from ledger.application import CellTraceLedger
from ledger.bootstrap import init_ledger, open_projections
from ledger.config import Settings
from ledger.demo.records import register_staff
from ledger.projections.recall import impact, lookback
from ledger.projections.trace import trace_down, trace_up
from ledger.projections.tracking import view_engine

Links = set[tuple[str, str]]
SHAPES = [
    Shape(portions=2, seed_vials=2, master_vials=4, working_banks=2, working_vials=5),
    Shape(portions=1, seed_vials=3, master_vials=3, working_banks=1, working_vials=8),
    Shape(portions=3, seed_vials=2, master_vials=5, working_banks=3, working_vials=4),
]


@dataclass
class Generated:
    lineages: list[Lineage]
    held_donor: str
    recalled_lot: str
    engine: Engine  # of the projected read models
    links: Links  # read from the stored events


@pytest.fixture
def made(settings: Settings) -> Iterator[Generated]:
    """Three lineages (lots rotating every 3 uses), a look-back and a serum lot recall,
    projected; with the links the stored events record."""
    init_ledger(settings)
    app = CellTraceLedger(settings)
    try:
        generator = Generator(app, register_staff(app, lambda _line: None), lot_uses=3)
        lineages = [generator.lineage(shape) for shape in SHAPES]
        generator.lookback(lineages[1].donor)
        recalled = generator.recall(SERUM)
    finally:
        app.close()
    open_projections(settings).catch_up()
    engine = view_engine(settings)
    yield Generated(lineages, lineages[1].donor, recalled, engine, ledger_links(settings))
    engine.dispose()


def ledger_links(settings: Settings) -> Links:
    """(parent, child) links from each item's first stored event: its sources, its bank, its
    donors and the material lots it records using."""
    app = CellTraceLedger(settings)
    links: Links = set()
    try:
        position = 0
        while batch := app.recorder.select_notifications(position, 500, inclusive_of_start=False):
            position = batch[-1].id
            for notification in batch:
                event = app.mapper.to_domain_event(notification)
                if isinstance(event, CanInitAggregate) and isinstance(vars(event).get("code"), str):
                    links |= _links_of(vars(event))
    finally:
        app.close()
    return links


def _links_of(fields: dict[str, object]) -> Links:
    code = str(fields["code"])
    parents = fields.get("sources") or ([fields["bank"]] if "bank" in fields else None)
    parents = parents or fields.get("donor_codes") or []
    uses = [*fields.get("transport_media", []), *fields.get("materials", [])]  # type: ignore[misc]
    lots = [use["lot"] for use in uses]
    return {(str(parent), code) for parent in [*parents, *lots]}  # type: ignore[misc]


def reach(links: Links, start: str, down: bool) -> set[str]:
    """Breadth-first closure of `start` along `links` (downwards or upwards)."""
    step: dict[str, list[str]] = {}
    for parent, child in links:
        near, far = (parent, child) if down else (child, parent)
        step.setdefault(near, []).append(far)
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in step.get(queue.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def within(links: Links, codes: set[str]) -> Links:
    return {(p, c) for p, c in links if p in codes and c in codes}


def test_r_trc_1_trace_up_from_a_thawed_working_bank_vial_reaches_the_donor(
    made: Generated,
) -> None:
    # Given a generated ledger and its projected genealogy
    engine, links = made.engine, made.links
    lineage = made.lineages[2]
    # When tracing up from the deepest item, a thawed working-bank vial
    graph = trace_up(engine, lineage.deepest)
    # Then it reaches the donor through every item the events link, with every link
    expected = reach(links, lineage.deepest, down=False)
    assert set(graph.nodes) == expected
    assert {(e.parent, e.child) for e in graph.edges} == within(links, expected)
    assert lineage.donor in graph.nodes and lineage.lots <= set(graph.nodes)
    assert graph.nodes[lineage.deepest].status == "thawed"
    # And with the people who recorded each step and the QC results of the banks
    assert all(node.actors for node in graph.nodes.values())
    banks = [n for n in graph.nodes.values() if n.item_type in ("SCB", "MCB", "WCB")]
    assert len(banks) == 3
    for bank in banks:
        events = [qc["event"] for qc in bank.qc]
        assert "CellBank.TestResultRecorded" in events and events[-1] == "CellBank.Released"


def test_r_trc_2_trace_down_from_a_donor_finds_every_descendant_with_status_and_place(
    made: Generated,
) -> None:
    # Given a generated ledger and its projected genealogy
    engine, links = made.engine, made.links
    donor = made.lineages[0].donor
    # When tracing down from a donor
    graph = trace_down(engine, donor)
    # Then every descendant the events link is found, each with its status and place
    expected = reach(links, donor, down=True)
    assert set(graph.nodes) == expected
    assert {(e.parent, e.child) for e in graph.edges} == within(links, expected)
    vials = [n for n in graph.nodes.values() if n.item_type == "BVL"]
    assert len(vials) == 2 + 4 + 2 * 5
    for vial in vials:
        assert vial.status in ("in storage", "thawed")
        assert (vial.location is None) == (vial.status == "thawed")
        assert vial.location is None or vial.location.startswith("LN2-T1/R3/B")


def test_r_trc_2_impact_of_a_recalled_material_lot_lists_every_affected_item(
    made: Generated,
) -> None:
    # Given a generated ledger where a serum lot used in culture was recalled
    engine, links = made.engine, made.links
    # When its impact is listed
    recall = impact(engine, made.recalled_lot)
    lot = trace_down(engine, made.recalled_lot).nodes[made.recalled_lot]
    # Then every item downstream of it is on the list, with where it is now
    assert recall.codes() == reach(links, made.recalled_lot, down=True) - {made.recalled_lot}
    assert any(item.type == "BVL" for item in recall.items)
    assert lot.status == "recalled" and lot.lot and lot.expiry
    for item in recall.items:
        if item.type == "BVL" and item.status != "thawed":
            assert item.where == f"in storage: {item.location}"
    assert recall.patients == []


def test_r_don_7_lookback_lists_every_descendant_on_hold_and_where_it_is(made: Generated) -> None:
    # Given a generated ledger where one donor became ineligible after look-back
    engine, links = made.engine, made.links
    # When the look-back recall list is produced
    recall = lookback(engine, made.held_donor)
    donor = trace_up(engine, made.held_donor).nodes[made.held_donor]
    # Then it lists every item derived from the donor, each on hold with the reason
    assert recall.codes() == reach(links, made.held_donor, down=True) - {made.held_donor}
    assert donor.status == "ineligible"
    for item in recall.items:
        assert [h["rule"] for h in item.holds] == ["R-DON-7"]
        assert item.status in ("on hold", "thawed")
    places = {item.where.split(":")[0] for item in recall.items if item.type == "BVL"}
    assert places == {"in storage", "thawed"}
    assert recall.as_json()["patients"] == []
