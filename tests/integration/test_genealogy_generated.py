"""R-TRC-1, R-TRC-2, R-DON-7 on a ledger made by the data generator (`bench.generate`): donors
through banks, cultures, harvests, product lots, product vials, shipments and patients dosed.
Trace down from a donor and the impact of a recalled material lot used across product lots
find every affected vial and every dosed patient, and nothing else; trace up from a patient
reaches the donor. Each is checked against an independent breadth-first traversal of the
stored events: their JSON state read from the event store, not the read models and not the
`ItemsDerived` events the read models are built from. The read models caught up in batches
from the stored events are row for row those the event-by-event projection of earlier releases
writes (`tests.reference_items`). SQLite and PostgreSQL (`settings`)."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Engine, text

from bench.generate import generate
from ledger.application import Actor, CellTraceLedger
from ledger.bootstrap import open_projections
from ledger.config import Settings
from ledger.identifiers import SHIPPED_IN, ItemType
from ledger.projections.items import ItemsView
from ledger.projections.recall import impact, lookback
from ledger.projections.trace import QC_EVENTS, Direction, Graph, trace, trace_down, trace_up
from ledger.projections.tracking import view_engine
from tests.conftest import new_pg_database, pg_url
from tests.integration.test_genealogy import Links, reach, within
from tests.reference_items import reference_rows, table_rows

EVENTS = 3000  # a dozen donors, about ten product lots, a dozen patients dosed
VIALS = (ItemType.BANK_VIAL, ItemType.PRODUCT_VIAL)


@dataclass
class Stored:
    """What the stored events say, decoded here from their JSON state."""

    links: Links = field(default_factory=set)  # (parent, child)
    shipped: Links = field(default_factory=set)  # (vial, shipment), also among the links
    doses: set[tuple[str, str]] = field(default_factory=set)  # (vial, patient)
    roles: dict[str, list[str]] = field(default_factory=dict)  # person -> roles

    def of_type(self, codes: set[str], *types: ItemType) -> set[str]:
        prefixes = tuple(f"{t.prefix}-" for t in types)
        return {c for c in codes if c.startswith(prefixes)}

    def dosed(self, codes: set[str]) -> set[tuple[str, str]]:
        """The (vial, patient) administrations of the vials among `codes`."""
        return {(vial, patient) for vial, patient in self.doses if vial in codes}


def stored_events(settings: Settings) -> Stored:
    """Links from each item's own records: the items its first event names as its sources,
    bank or lot (or, for a collection, its donor); the material lots any of its events
    record using; the vials a shipment packs; the vial each patient's administration gives."""
    stored, codes = Stored(), dict[UUID | str, str]()
    app = CellTraceLedger(settings)
    try:
        position = 0
        while batch := app.recorder.select_notifications(position, 500, inclusive_of_start=False):
            position = batch[-1].id
            for record in batch:
                state: dict[str, Any] = json.loads(record.state)
                if "originator_topic" in state and isinstance(state.get("code"), str):
                    codes[record.originator_id] = state["code"]
                    stored.links |= _first_links(state)
                    for vials in state.get("containers", {}).values():
                        stored.shipped |= {(vial, state["code"]) for vial in vials}
                        stored.links |= {(vial, state["code"]) for vial in vials}
                    if record.topic.endswith(":Person.Registered"):
                        stored.roles[state["code"]] = state["roles"]
                code = codes.get(record.originator_id)
                if code is None:
                    continue
                for use in [*state.get("transport_media", []), *state.get("materials", [])]:
                    stored.links.add((use["lot"], code))
                if record.topic.endswith(".Administered"):
                    stored.doses.add((state["dose"]["vial"], code))
                    stored.links.add((state["dose"]["vial"], code))
    finally:
        app.close()
    return stored


def _first_links(state: dict[str, Any]) -> Links:
    code = state["code"]
    parents = state.get("sources") or [state[k] for k in ("bank", "lot") if k in state]
    parents = parents or state.get("donor_codes") or []
    return {(parent, code) for parent in parents}


@dataclass
class Generated:
    stored: Stored
    engine: Engine  # of the projected read models
    recalled: str  # a material lot used across product lots, recalled
    settings: Settings


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Generated]:
    """A generated ledger, made once per backend for this module's read-only checks; the
    material lot feeding the most product lots is recalled by QA; then the read models are
    brought up to date."""
    data = tmp_path_factory.mktemp("generated")
    if request.param == "sqlite":
        yield from _generated(
            Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
        )
        return
    with new_pg_database(request.getfixturevalue("pg_admin")) as db:
        yield from _generated(Settings(data_dir=data, database_url=pg_url(db)))


def _generated(settings: Settings) -> Iterator[Generated]:
    generate(settings, EVENTS)
    stored = stored_events(settings)
    lots = stored.of_type({p for p, _ in stored.links}, ItemType.MATERIAL_LOT)
    widest = max(sorted(lots), key=lambda lot: _spread(stored, lot))
    qa = next(code for code, roles in stored.roles.items() if roles == ["qa"])
    app = CellTraceLedger(settings)
    try:
        app.credentials.set_password(qa, "qa recall password")  # the recall is signed
        signer = Actor(qa, "qa").signed("qa recall password")
        app.recall_material_lot(signer, widest, "supplier recall notice")
    finally:
        app.close()
    open_projections(settings).catch_up()
    engine = view_engine(settings)
    yield Generated(stored, engine, widest, settings)
    engine.dispose()


def _spread(stored: Stored, lot: str) -> tuple[int, int]:
    below = reach(stored.links, lot, down=True)
    return len(stored.of_type(below, ItemType.PRODUCT_LOT)), len(stored.dosed(below))


def assert_same_graph(graph: Graph, stored: Stored, expected: set[str]) -> None:
    assert set(graph.nodes) == expected
    assert {(e.parent, e.child) for e in graph.edges} == within(stored.links, expected)


def codes_of(graph: Graph, *types: ItemType) -> set[str]:
    return {node.code for node in graph.of_type(*types)}


def test_r_trc_2_trace_down_from_a_donor_finds_every_vial_and_dosed_patient(
    generated: Generated,
) -> None:
    # Given a generated ledger, and the donor whose material reached the most patients
    stored, engine = generated.stored, generated.engine
    donors = stored.of_type({p for p, _ in stored.links}, ItemType.DONOR)
    donor = max(sorted(donors), key=lambda d: len(stored.dosed(reach(stored.links, d, True))))
    expected = reach(stored.links, donor, down=True)
    doses = stored.dosed(expected)
    assert doses and stored.of_type(expected, ItemType.PRODUCT_LOT, ItemType.SHIPMENT)
    # When tracing down from the donor, and listing the donor's look-back (R-DON-7)
    graph = trace_down(engine, donor)
    recall = lookback(engine, donor)
    # Then every item the events link is found, with every link, and nothing else
    assert_same_graph(graph, stored, expected)
    # And so every bank and product vial, and every patient dosed with one of them
    assert codes_of(graph, *VIALS) == stored.of_type(expected, *VIALS)
    assert codes_of(graph, ItemType.PATIENT) == {patient for _, patient in doses}
    assert {(d.vial, d.code) for d in recall.patients} == doses
    assert recall.codes() == expected - {donor}
    for vial, _ in doses:
        assert graph.nodes[vial].status == "administered"


def test_r_trc_2_impact_of_a_recalled_material_lot_used_across_lots_finds_every_patient(
    generated: Generated,
) -> None:
    # Given a generated ledger where a material lot used in several product lots was recalled
    stored, engine, lot = generated.stored, generated.engine, generated.recalled
    expected = reach(stored.links, lot, down=True)
    doses = stored.dosed(expected)
    assert len(stored.of_type(expected, ItemType.PRODUCT_LOT)) >= 2 and doses
    # When tracing it down and listing its impact
    graph = trace_down(engine, lot)
    recall = impact(engine, lot)
    # Then every item downstream the events link is found, with every link, nothing else
    assert_same_graph(graph, stored, expected)
    assert graph.nodes[lot].status == "recalled"
    assert recall.codes() == expected - {lot}
    # And every affected vial, with where it is now, and every patient dosed from one
    vials = stored.of_type(expected, *VIALS)
    assert {i.code for i in recall.items if i.type in ("BVL", "PVL")} == vials
    assert {(d.vial, d.code) for d in recall.patients} == doses
    for item in recall.items:
        if item.code in {vial for vial, _ in doses}:
            assert item.where.startswith("administered")


def test_r_trc_1_trace_up_from_a_dosed_patient_reaches_the_donor_and_material_lots(
    generated: Generated,
) -> None:
    # Given a patient dosed in a generated ledger
    stored, engine = generated.stored, generated.engine
    vial, patient = sorted(stored.doses)[0]
    # When tracing the patient up
    graph = trace_up(engine, patient)
    # Then it reaches the donor through every item and material lot the events link, and
    # the shipment the vial travelled in (not that shipment's other vials)
    upstream = reach(stored.links, patient, down=False)
    shipments = {shipment for v, shipment in stored.shipped if v in upstream}
    assert_same_graph(graph, stored, upstream | shipments)
    assert vial in graph.nodes and len(codes_of(graph, ItemType.DONOR)) == 1
    assert codes_of(graph, ItemType.SHIPMENT) == shipments and len(shipments) == 1
    assert {"LOT", "HRV", "CUL", "WCB", "MAT"} <= {n.item_type for n in graph.nodes.values()}


def reference_trace(engine: Engine, code: str, direction: Direction) -> dict[str, Any]:
    """What `trace` returns, worked out here in plain Python from whole reads of the read
    models: a breadth-first walk (children in key order, each item once), going up also the
    shipments the walked items travelled in; each item's distinct (person, role) sorted and,
    going up, its QC results by time. The nodes and edges in the order the walk meets them."""
    with engine.connect() as conn:
        items = {r[0]: r for r in conn.execute(text("SELECT " + _ITEM_COLUMNS + " FROM items"))}
        links = conn.execute(
            text("SELECT parent_code, child_code, relation FROM genealogy_edges")
        ).all()
        timeline = conn.execute(
            text(
                "SELECT item_code, actor_id, actor_role, event_type, recorded_at, meaning "
                "FROM timeline ORDER BY notification_id"
            )
        ).all()
    up = direction == "up"
    out: dict[str, list[tuple[str, str, str]]] = {}
    for parent, child, relation in sorted((p, c, r) for p, c, r in links):
        edge = (parent, child, relation)
        out.setdefault(child if up else parent, []).append(edge)
    walk, edges = [code], []
    for near in walk:  # the list grows while it is walked: breadth first
        for edge in sorted(out.get(near, []), key=lambda e: (e[0], e[1], e[2])):
            edges.append(edge)
            far = edge[0] if up else edge[1]
            if far not in walk:
                walk.append(far)
    reached = list(walk)
    if up:  # and the shipments the walked vials travelled in, not walked on from
        shipped = [(p, c, r) for p, c, r in sorted(links) if r == SHIPPED_IN and p in walk]
        edges += shipped
        reached += [c for _, c, _ in shipped if c not in reached]
    nodes: dict[str, dict[str, Any]] = {}
    for found in reached:
        if found in items:
            _, item_type, status, holds, location, lot, expiry = items[found]
            nodes[found] = {
                "code": found,
                "item_type": item_type,
                "status": status,
                "holds": json.loads(holds) if holds else [],
                "actors": [],
                "location": location,
                "lot": lot,
                "expiry": expiry,
                "qc": [],
                "quality": [],
            }
    for item, actor, role in sorted({(t[0], t[1], t[2]) for t in timeline if t[0] in nodes}):
        nodes[item]["actors"].append({"person": actor, "role": role})
    if up:
        entries = sorted(timeline, key=lambda t: (t[0], t[4], t[1], t[2]))  # stable: by id
        for item, actor, _, event_type, recorded_at, meaning in entries:
            if item in nodes and event_type.rsplit(".", 1)[-1] in QC_EVENTS:
                qc = {"event": event_type, "person": actor, "meaning": meaning, "at": recorded_at}
                nodes[item]["qc"].append(qc)
    keys = ("parent", "child", "relation")
    return {"nodes": nodes, "edges": [dict(zip(keys, e, strict=True)) for e in edges]}


_ITEM_COLUMNS = "code, item_type, status, holds, location, lot, expiry"


def test_r_trc_1_r_trc_2_traces_equal_a_plain_walk_of_the_read_models(
    generated: Generated,
) -> None:
    """The trace queries and the way their rows become nodes (built for speed: plain driver
    rows, the garbage collector paused, actors made distinct in Python) give exactly what a
    plain walk of whole tables gives: the same items with the same fields, actors and QC
    results in the same order, the same edges, and on SQLite in the same order too."""
    # Given a generated ledger: its donors, material lots, and patients dosed
    stored, engine = generated.stored, generated.engine
    codes = {p for p, _ in stored.links}
    starts = [
        *[(c, "down") for c in sorted(stored.of_type(codes, ItemType.DONOR))],
        *[(c, "down") for c in sorted(stored.of_type(codes, ItemType.MATERIAL_LOT))[:5]],
        *[(patient, "up") for _, patient in sorted(stored.doses)[:5]],
    ]
    ordered = engine.dialect.name == "sqlite"  # PostgreSQL returns a walk in no fixed order
    for code, direction in starts:
        # When tracing from each (with actors, and down also without)
        graph = trace(engine, code, "up" if direction == "up" else "down")
        expected = reference_trace(engine, code, "up" if direction == "up" else "down")
        # Then every node and edge is the same as the plain walk's, fields in order
        got = graph.as_json()
        assert got["nodes"] == sorted(expected["nodes"].values(), key=lambda n: n["code"])
        assert got["edges"] == sorted(expected["edges"], key=lambda e: (e["parent"], e["child"]))
        assert len(graph.edges) == len(expected["edges"])
        assert any(n["actors"] for n in got["nodes"])
        assert direction == "down" or any(n["qc"] for n in got["nodes"])
        if ordered and direction == "down":
            assert list(graph.nodes) == list(expected["nodes"])
            assert [vars(e) for e in graph.edges] == expected["edges"]
        if direction == "down":
            bare = trace(engine, code, "down", actors=False)
            if ordered:
                assert list(bare.nodes) == list(graph.nodes) and bare.edges == graph.edges
            else:  # two queries, each in an order of its own
                assert sorted(bare.nodes) == sorted(graph.nodes)
                assert sorted(map(_edge_key, bare.edges)) == sorted(map(_edge_key, graph.edges))
            assert all(not n.actors and not n.qc for n in bare.nodes.values())


def _edge_key(edge: Any) -> tuple[str, str, str]:
    return (edge.parent, edge.child, edge.relation)


def test_a_trace_leaves_the_garbage_collector_as_it_found_it(generated: Generated) -> None:
    """Building a trace pauses Python's garbage collector; it is on again afterwards, and
    still off if it was off before."""
    donor = sorted(
        generated.stored.of_type({p for p, _ in generated.stored.links}, ItemType.DONOR)
    )[0]
    assert gc.isenabled()
    assert trace_down(generated.engine, donor).nodes
    assert gc.isenabled()
    gc.disable()
    try:
        trace_down(generated.engine, donor)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_r_don_7_a_recall_list_as_json_holds_every_field_of_every_item(
    generated: Generated,
) -> None:
    """The look-back and impact lists' JSON (built directly, for speed) is what
    `dataclasses.asdict` makes of them: every item's fields, holds and patients dosed."""
    stored, engine = generated.stored, generated.engine
    donors = sorted(stored.of_type({p for p, _ in stored.links}, ItemType.DONOR))
    for recall in [*(lookback(engine, d) for d in donors), impact(engine, generated.recalled)]:
        assert recall.as_json() == asdict(recall)
    assert any(i["holds"] for i in impact(engine, generated.recalled).as_json()["items"])


def test_r_trc_3_caught_up_read_models_equal_the_event_by_event_projection(
    generated: Generated, tmp_path: Path
) -> None:
    # Given a generated ledger whose items view was caught up in batches of stored events,
    # item status and holds kept in memory
    position = ItemsView(generated.engine).max_tracking_id(CellTraceLedger.name)
    assert position is not None
    caught_up = table_rows(generated.engine)
    # When the event-by-event projection of earlier releases processes the same events
    expected = reference_rows(generated.settings, tmp_path, position)
    # Then every table holds the same rows: items (status, holds, place, owners), timelines,
    # genealogy edges, the worklist and the lots' QC state
    for table, rows in expected.items():
        assert caught_up[table] == rows, table
    items = {row[0]: row for row in caught_up["items"]}
    assert any(row[-1] for row in items.values())  # items on hold
    assert len(caught_up["worklist"]) > 0 and len(caught_up["lot_qc"]) > 0
