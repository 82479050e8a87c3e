"""The Qualified Person's release certificate (R-QC-4, R-PPL-3, R-SHP-1..4, R-LED-5).

In this ledger the Qualified Person (质量受权人) releases at the clinical site: after the site's
receipt re-inspection, the QP authorised for that site signs, re-entering their password, the
release for use of the vials of a shipment that passed it (`shipment.qp_release`); the
manufacturer's QA certifies the lot before it is shipped (R-QC-2, the certificate of
analysis). So the certificate is of a shipment: the QP, their authorisation for the site, the
release with its signature, the vials released with their lots' QA certification, and the
cold chain and receipt the release rests on. A blinded study's kit names its study, never its
lot (R-ACC-5).
"""

from __future__ import annotations

from ledger.domain.people import Person
from ledger.domain.product_lot import ProductLot
from ledger.domain.product_vial import ProductVial
from ledger.domain.shipment import Shipment
from ledger.domain.site import Site
from ledger.errors import Conflict
from ledger.identifiers import ItemType, parse_code
from ledger.messages import Sentence
from ledger.reports.document import Document, Facts, Step, Table, Text, signed_by, steps_table
from ledger.reports.sources import Sources

KIND = "qp-release"
TITLE = "QP release certificate"


def qp_release(sources: Sources, code: str) -> Document:
    ledger = sources.ledger
    parsed = str(parse_code(code, ItemType.SHIPMENT))
    shipment = ledger.load(parsed, ItemType.SHIPMENT, Shipment)
    steps = sources.steps.of_item(shipment.code)
    release = next((s for s in steps if s.event_type.endswith(".ReleasedForUse")), None)
    if not shipment.released or release is None:
        raise Conflict(
            Sentence(
                "R-QC-4: {code} has not been released for use by the QP of {site}, so it has "
                "no QP release certificate; the QP releases it after the receipt "
                "re-inspection",
                code=shipment.code,
                site=shipment.site,
            )
        )
    site = ledger.load(shipment.site, ItemType.SITE, Site)
    authorised = _authorisation(sources, release.actor, shipment.site)
    doc = Document(KIND, TITLE, shipment.code)
    doc.cite([release, *([authorised] if authorised else [])])
    doc.section(
        "1. Release for use (R-QC-4)",
        Text(
            "The Qualified Person named below, authorised for this site, released the vials "
            "listed in section 2 for use on subjects, signing with their password. The ledger "
            "records a release only from the site's QP (R-PPL-3), only of vials that passed the "
            "receipt re-inspection at the site (R-SHP-3), with the shipment's temperature "
            "record complete from dispatch to receipt and any excursion assessed (R-SHP-2, "
            "R-SHP-4), and while no deviation or OOS investigation concerning the vials or "
            "their genealogy is open (R-QMS-3)."
        ),
        Facts(
            [
                ("Shipment", shipment.code),
                ("Site", f"{site.code}, {site.name}"),
                ("Qualified Person", release.signature()),
                ("Date and time (UTC)", release.at),
                ("Meaning of the signature", release.meaning),
                ("Log #", release.cited),
                ("QP authorised for the site", signed_by(authorised)),
                ("Vials released", f"{len(shipment.released)} of {len(shipment.vials)} shipped"),
            ]
        ),
    )
    doc.section(
        "2. Vials released and their lots' QA certification", _vials(sources, doc, shipment)
    )
    custody = doc.cite(s for s in steps if s.notification_id <= release.notification_id)
    doc.section(
        "3. Cold chain and receipt (R-SHP-1..4)",
        _transport(shipment),
        steps_table(custody, item=False),
    )
    return doc


def _authorisation(sources: Sources, person: str, site: str) -> Step | None:
    """The step that authorised `person` as Qualified Person for `site` (R-PPL-3)."""
    if not person.startswith(ItemType.PERSON.prefix):
        return None
    sources.ledger.load(person, ItemType.PERSON, Person)
    found = [
        s
        for s in sources.steps.of_item(person)
        if s.event_type.endswith("QPAuthorised")
        and sources.steps.fields(s).get("site_code") == site
    ]
    return found[0] if found else None


def _vials(sources: Sources, doc: Document, shipment: Shipment) -> Table:
    ledger = sources.ledger
    rows = []
    certified: dict[str, str] = {}
    for code in shipment.released:
        vial = ledger.load(code, ItemType.PRODUCT_VIAL, ProductVial)
        if vial.blinding is not None:
            lot_said = f"kit of the blinded study {vial.blinding['study']}"
            qa = "the kit's lot is sealed (R-ACC-5); only certified lots are filled into kits"
        else:
            lot_said = vial.lot
            if vial.lot not in certified:
                lot = ledger.load(vial.lot, ItemType.PRODUCT_LOT, ProductLot)
                step = next(
                    (
                        s
                        for s in sources.steps.of_item(lot.code)
                        if s.event_type.endswith(".Certified")
                    ),
                    None,
                )
                doc.cite([step] if step else [])
                certified[vial.lot] = signed_by(step)
            qa = certified[vial.lot]
        rows.append([vial.code, lot_said, vial.expiry.isoformat(), qa])
    return Table(
        ["vial", "lot", "expiry", "lot certified by QA (R-QC-2)"],
        rows,
        [30.0, 40.0, 18.0, 102.0],
    )


def _transport(shipment: Shipment) -> Facts:
    hand_offs = "; ".join(
        f"{h['custodian']} at {h['at'].isoformat(timespec='minutes')}" for h in shipment.custody
    )
    interval = shipment.logger_interval_minutes
    return Facts(
        [
            (
                "Required range",
                f"{shipment.required['min_c']:g} to {shipment.required['max_c']:g} C",
            ),
            ("Custody", hand_offs),
            (
                "Temperature record",
                f"{shipment.readings} readings"
                + (f", logger every {interval} min" if interval else ""),
            ),
            (
                "Delivered",
                shipment.delivered_at.isoformat(timespec="minutes")
                if shipment.delivered_at
                else "-",
            ),
            ("Passed re-inspection", ", ".join(shipment.passed) or "-"),
            (
                "Failed re-inspection",
                "; ".join(f"{v}: {why}" for v, why in shipment.failed.items()) or "none",
            ),
            ("Missing at receipt", ", ".join(shipment.missing) or "none"),
        ]
    )
