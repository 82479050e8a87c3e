"""The batch record of a lot (§5.4.2, R-PRO-3..6, R-QC-1..3, R-QMS-1..6, R-TRC-1): its
genealogy back to the donors, cell source and cell banks, the material and reagent lots used,
every step of every item it was made from with who signed it, when and with what meaning, its
QC results against the specification, OOS investigations, deviations and CAPA, the major
changes it was made after, QA's disposition and the accountability of its vials.

A lot of a blinded study is accounted with the study's kits, both arms pooled; which kits are
the lot's is sealed, so the record names none of them (R-ACC-5).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from ledger.commands.materials import find
from ledger.domain.change_control import ChangeLog, change_log_id
from ledger.domain.material_lot import MaterialLot
from ledger.identifiers import ItemType
from ledger.projections.genealogy import MATERIAL_USED
from ledger.projections.items import items_table
from ledger.projections.trace import Graph, trace
from ledger.reports.document import Document, Facts, Table, Text, signed_by, steps_table
from ledger.reports.lot import (
    LotRecord,
    disposition_steps,
    load_lot,
    lot_facts,
    result_steps,
    results_table,
)
from ledger.reports.sources import Sources
from ledger.reports.steps import of_items

KIND = "batch-record"
TITLE = "Batch record"


def batch_record(sources: Sources, code: str) -> Document:
    record = load_lot(sources, code, "batch record")
    lot = record.lot
    doc = Document(KIND, TITLE, lot.code)
    graph = trace(sources.engine, lot.code, "up", actors=False)
    made_from = [c for c in graph.nodes if c != lot.code]
    doc.section("1. Lot", lot_facts(record), _making(sources, record))
    doc.section("2. Genealogy back to the donors, cell source and cell banks", *_genealogy(graph))
    doc.section("3. Materials and reagent lots used", _materials(sources, doc, graph))
    items = [c for c in made_from if not c.startswith(ItemType.MATERIAL_LOT.prefix)]
    steps = doc.cite(of_items(sources.steps, [*items, lot.code]))
    doc.section(
        "4. Manufacturing steps and their signatures",
        Text(
            "Every step recorded on the lot and on each item it was made from, in the order "
            "recorded: who signed it (printed name and person code), when (the server's time, "
            "UTC) and the meaning of the signature (21 CFR 11.50). Log # is the step's place "
            "in the Merkle log; Appendix A lists its event hash."
        ),
        steps_table(steps),
    )
    doc.cite(record.spec_steps)
    doc.cite(result_steps(record))
    doc.section(
        "5. QC results against the specification",
        Text(
            f"Specification {lot.specification} version {lot.spec_version}; the tests the "
            "lot's genealogy makes mandatory are added to it (R-QC-1)."
        ),
        results_table(record),
    )
    doc.section("6. OOS investigations", _investigations(record))
    quality = _deviations(sources, doc, [*graph.nodes, *_vials(record)])
    doc.section("7. Deviations, CAPA and major changes", *quality, _changes(sources, doc, record))
    decided = doc.cite(disposition_steps(record))
    doc.section(
        "8. Disposition",
        Facts(
            [
                ("Certified by QA", signed_by(record.step("Certified"))),
                ("Rejected", signed_by(record.step("Rejected")) if lot.rejected else "no"),
                ("Closed", signed_by(record.step("Closed")) if lot.closed else "no"),
            ]
        ),
        steps_table(decided, item=False),
    )
    doc.section("9. Accountability of the vials (R-QMS-6)", *_accountability(sources, doc, record))
    return doc


def _making(sources: Sources, record: LotRecord) -> Facts:
    first = sources.steps.first_fields(record.code)
    parameters = first.get("parameters") or {}
    lot = record.lot
    return Facts(
        [
            ("Method", str(first.get("method", "-")).replace("_", " ")),
            ("Parameters", ", ".join(f"{k} {v}" for k, v in parameters.items()) or "-"),
            ("Made from", ", ".join(lot.sources) or "excipient lots only"),
            ("Donors", ", ".join(lot.donor_codes) or "none"),
        ]
    )


def _genealogy(graph: Graph) -> list[Table | Text]:
    rows = []
    for node in sorted(graph.nodes.values(), key=lambda n: n.code):
        if node.item_type == ItemType.MATERIAL_LOT.value or node.code == graph.root:
            continue
        parents = [e for e in graph.parents(node.code) if e.relation != MATERIAL_USED]
        rows.append(
            [
                node.code,
                ItemType(node.item_type).label,
                "; ".join(f"{e.relation} of {e.parent}" for e in parents) or "-",
                node.status,
            ]
        )
    made = [e for e in graph.parents(graph.root) if e.relation != MATERIAL_USED]
    said = "; ".join(f"{e.relation} of {e.parent}" for e in made) or "excipient lots only"
    return [
        Text(f"{graph.root} was made by {said}. Each item it was made from:"),
        Table(["item", "type", "made by", "status now"], rows, [30.0, 28.0, 70.0, 22.0]),
    ]


def _materials(sources: Sources, doc: Document, graph: Graph) -> Table:
    """The material and reagent lots used, each with QC's signed release (R-MAT-1)."""
    rows = []
    for node in graph.of_type(ItemType.MATERIAL_LOT):
        lot = sources.ledger.load(node.code, ItemType.MATERIAL_LOT, MaterialLot)
        first = sources.steps.first_fields(node.code)
        used = sorted({e.child for e in graph.children(node.code)})
        released = [
            s for s in sources.steps.of_item(node.code) if s.event_type.endswith(".Released")
        ]
        doc.cite(released)
        rows.append(
            [
                node.code,
                lot.material,
                f"{first.get('supplier', '-')}, lot {first.get('supplier_lot', '-')}",
                str(first.get("coa_ref", "-")),
                lot.expiry.isoformat(),
                f"{lot.status}"
                + (
                    f": {released[-1].signer}, {released[-1].at} [{released[-1].cited}]"
                    if released
                    else ""
                ),
                ", ".join(used),
            ]
        )
    return Table(
        [
            "material lot",
            "material",
            "supplier, lot number",
            "CoA",
            "expiry",
            "QC status",
            "used in",
        ],
        rows,
        [28.0, 16.0, 26.0, 13.0, 16.0, 47.0, 44.0],
    )


def _investigations(record: LotRecord) -> Table | Text:
    found = record.lot.investigations
    if not found:
        return Text("None: no result was out of specification.")
    rows = [
        [
            str(number),
            f"{i['test']} ({i['report_ref']})",
            "; ".join(f"{f['phase']}: {f['finding']}" for f in i["findings"]) or "-",
            i["outcome"],
            i["assignable_cause"] or "-",
            i["conclusion"] or "-",
        ]
        for number, i in sorted(found.items())
    ]
    return Table(
        ["#", "result", "findings", "outcome", "assignable cause", "conclusion"],
        rows,
        [6.0, 30.0, 50.0, 16.0, 22.0, 36.0],
    )


def _vials(record: LotRecord) -> list[str]:
    """The lot's own vials (none for a lot of a blinded study: its kits are sealed)."""
    if record.lot.blinding is not None:
        return []
    return [c for c in record.lot.children if c.startswith(ItemType.PRODUCT_VIAL.prefix)]


def _deviations(sources: Sources, doc: Document, codes: Iterable[str]) -> list[Table | Text]:
    """The deviations that concern the lot, an item it was made from or one of its vials, with
    their CAPA actions (R-QMS-2, R-QMS-4)."""
    wanted = set(codes)
    with sources.engine.connect() as conn:
        listed = conn.execute(
            select(items_table.c.code)
            .where(items_table.c.item_type == ItemType.DEVIATION.value)
            .order_by(items_table.c.code)
        ).scalars()
        found = [sources.ledger.get_deviation(code) for code in listed]
    concerning = [d for d in found if wanted & set(d.concerned)]
    if not concerning:
        return [Text("Deviations: none concerns the lot, an item it was made from or its vials.")]
    rows, capas = [], []
    for deviation in concerning:
        closing = doc.cite(sources.steps.of_item(deviation.code))
        closed = next((s for s in closing if s.event_type.endswith("Deviation.Closed")), None)
        fields = sources.steps.fields(closed) if closed else {}
        rows.append(
            [
                deviation.code,
                f"{deviation.kind}, {deviation.severity}",
                deviation.description,
                ", ".join(deviation.items),
                signed_by(closed) if closed else "OPEN",
                (
                    f"impact: {fields.get('impact', '-')}; "
                    f"root cause: {fields.get('root_cause', '-')}"
                )
                if closed
                else "-",
            ]
        )
        for code in deviation.capas:
            capa = sources.ledger.get_capa(code)
            doc.cite(sources.steps.of_item(code))
            effective = {None: "not checked", True: "effective", False: "ineffective"}
            capas.append(
                [
                    capa.code,
                    deviation.code,
                    capa.action,
                    sources.steps.name(capa.owner),
                    capa.due_on.isoformat(),
                    capa.done_on.isoformat() if capa.done_on else "not done",
                    effective[capa.effective],
                ]
            )
    blocks: list[Table | Text] = [
        Table(
            ["deviation", "kind", "description", "items", "closed by", "impact, root cause"],
            rows,
            [28.0, 20.0, 40.0, 28.0, 34.0, 40.0],
        )
    ]
    if capas:
        blocks.append(
            Table(
                ["CAPA", "deviation", "action", "owner", "due", "done", "effectiveness"],
                capas,
                [26.0, 26.0, 40.0, 32.0, 16.0, 16.0, 18.0],
            )
        )
    return blocks


def _changes(sources: Sources, doc: Document, record: LotRecord) -> Table | Text:
    """The major changes of the product the lot was made after, with their comparability
    assessments (R-PRO-5)."""
    lot = record.lot
    log = find(sources.ledger, ChangeLog, change_log_id(lot.product))
    made = [c for c in (log.changes.values() if log else ()) if c["effective_at"] <= lot.made_at]
    if log is None or not made:
        return Text(f"Major changes: none of {lot.product} before the lot was made (R-PRO-5).")
    doc.cite(sources.steps.of_aggregate(log.id, f"{lot.product} (change log)"))
    rows = []
    for change in made:
        found = log.assessments.get(change["reference"])
        rows.append(
            [
                change["reference"],
                change["category"].replace("_", " "),
                change["description"],
                change["effective_at"].isoformat(timespec="minutes"),
                (
                    f"{'comparable' if found['comparable'] else 'NOT comparable'} "
                    f"({found['report_ref']}): {found['conclusion']}"
                )
                if found
                else "no assessment",
            ]
        )
    return Table(
        ["major change", "category", "description", "effective", "comparability"],
        rows,
        [24.0, 20.0, 50.0, 26.0, 70.0],
    )


def _accountability(sources: Sources, doc: Document, record: LotRecord) -> list[Table | Text]:
    """Where every vial filled is by the record: retained, shipped (and at the sites
    administered, returned, destroyed, in stock), destroyed, in stock; the counts made and the
    discrepancies found (R-QMS-6)."""
    lot = record.lot
    accounts = sources.ledger.lot_accountability(lot.code)
    account = accounts.lot.account
    blinded = lot.blinding is not None
    said: list[Table | Text] = [Text(f"{account.equation()}.")]
    if blinded:
        said.append(
            Text(
                f"A lot of the blinded study {lot.blinding['study'] if lot.blinding else ''} is "
                "filled into the study's kits together with the other arm; its vials are "
                "accounted with every kit of the study, both arms pooled, and which kits are "
                "this lot's is sealed (R-ACC-5): no kit is named here."
            )
        )
    rows = [
        [part.replace("_", " "), str(len(codes)), "" if blinded else ", ".join(codes)]
        for part, codes in account.parts.items()
    ]
    if account.unaccounted:
        rows.append(["unaccounted", str(len(account.unaccounted)), ", ".join(account.unaccounted)])
    said.append(Table(["where", "vials", "which"], rows, [30.0, 14.0, 146.0]))
    shipped = [
        [
            c.account.item,
            c.account.equation(),
            ", ".join(
                f"{d} ({'open' if still else 'closed'})" for d, still in c.discrepancies.items()
            )
            or "-",
        ]
        for c in accounts.shipments
    ]
    if shipped:
        said.append(Text("At the sites, per shipment (administered = used on a subject):"))
        said.append(Table(["shipment", "vials", "discrepancies"], shipped, [30.0, 110.0, 50.0]))
    if accounts.returns:
        returned = [[code, c.account.equation()] for code, c in accounts.returns.items()]
        said.append(Text("Returned to the manufacturer:"))
        said.append(Table(["return", "vials"], returned, [30.0, 160.0]))
    counts = [
        s
        for s in record.steps.values()
        if s.event_type.rsplit(".", 1)[-1] in {"Reconciled", "Retained"}
    ]
    if counts:
        said.append(Text("Counts against the record, and retained samples:"))
        said.append(steps_table(doc.cite(counts), item=False))
    open_ones = accounts.open_discrepancies()
    said.append(
        Text(
            f"Open discrepancies: {', '.join(open_ones)}."
            if open_ones
            else "Open discrepancies: none."
        )
    )
    return said
