"""A patient's chain-of-identity and custody report (R-TRC-1, R-CLN-3, R-DON-5, R-SHP-1,
R-LED-6, R-ACC-5): the subject by pseudonymous code (no identifying data), their study, site,
cohort and consent; each administration with the nurse and the verifying pharmacist; for each
vial given, its chain of identity back to the donor (item by item, each with the step that
made it) and its chain of custody from fill to the bedside (every hand-off); and the patient's
own record (enrolment, dispensing, visits, unblinding).

The report never shows a treatment arm: a blinded study's kit is followed up to the kit only
(its lot and donors are sealed), and no sentence sees a seal, whoever reads it.
"""

from __future__ import annotations

from ledger.domain.patient import Patient
from ledger.domain.product_vial import ProductVial
from ledger.domain.site import Site
from ledger.domain.study import Study
from ledger.identifiers import SHIPPED_IN, ItemType, parse_code
from ledger.projections.genealogy import MATERIAL_USED
from ledger.projections.trace import trace
from ledger.reports.document import Document, Facts, Table, Text, signed_by, steps_table
from ledger.reports.sources import Sources

KIND = "patient"
TITLE = "Chain of identity and custody"


def patient_report(sources: Sources, code: str) -> Document:
    ledger = sources.ledger
    parsed = str(parse_code(code, ItemType.PATIENT))
    patient = ledger.load(parsed, ItemType.PATIENT, Patient)
    study = ledger.load(patient.study, ItemType.STUDY, Study)
    site = ledger.load(patient.site, ItemType.SITE, Site)
    own = sources.steps.of_item(patient.code)
    doc = Document(KIND, TITLE, patient.code)
    enrolled = own[0] if own else None
    consent = patient.consent
    doc.section(
        "1. Subject",
        Text(
            "The subject is named by pseudonymous code only; identifying data stays in the "
            "encrypted personal-data store (R-LED-6). No treatment arm is shown (R-ACC-5)."
        ),
        Facts(
            [
                ("Subject", patient.code),
                ("Study", f"{study.code}, {study.title}"),
                ("Protocol", f"{study.protocol['version']}{', blinded' if study.blinded else ''}"),
                ("Site", f"{site.code}, {site.name}"),
                ("Cohort", patient.cohort),
                (
                    "Consent",
                    f"{consent['form_version']} signed on {consent['signed_on']}"
                    if consent
                    else "-",
                ),
                ("Autologous donor", patient.donor or "no (allogeneic)"),
                ("Enrolled", signed_by(enrolled)),
            ]
        ),
    )
    given = [s for s in own if s.event_type.endswith(".Administered")]
    doc.cite(given)
    doses = [
        [
            str(number),
            dose["vial"],
            f"{dose['dose']:g} {dose['unit']}",
            dose["route"].replace("_", " "),
            dose["at"].isoformat(timespec="minutes"),
            sources.steps.name(dose["nurse"]),
            sources.steps.name(dose["pharmacist"]),
            given[number - 1].cited if number <= len(given) else "-",
        ]
        for number, dose in enumerate(patient.doses, 1)
    ]
    doc.section(
        "2. Administrations (R-CLN-3)",
        Table(
            ["#", "vial", "dose", "route", "time", "administered by", "verified by", "log #"],
            doses,
            [6.0, 28.0, 14.0, 18.0, 28.0, 38.0, 38.0, 12.0],
        ),
    )
    vials = list(dict.fromkeys(d["vial"] for d in patient.doses))
    for number, vial_code in enumerate(vials, 3):
        vial = ledger.load(vial_code, ItemType.PRODUCT_VIAL, ProductVial)
        _identity(sources, doc, vial, f"{number}a")
        custody = doc.cite(sources.steps.custody_of(vial.code))
        doc.section(
            f"{number}b. Chain of custody of {vial.code}",
            Text(
                "Every step of the vial and of the shipments, return and patient record that "
                "concern it, from its fill to the bedside: each hand-off names its custodian."
            ),
            steps_table(custody),
        )
    doc.section(
        f"{len(vials) + 3}. The subject's record",
        steps_table(doc.cite(own), item=False),
    )
    return doc


def _identity(sources: Sources, doc: Document, vial: ProductVial, number: str) -> None:
    """The chain of identity of `vial`: every item it was made from back to the donor, each
    with the step that made it (R-TRC-1); a kit stops at itself (R-ACC-5)."""
    title = f"{number}. Chain of identity of {vial.code}"
    if vial.blinding is not None:
        doc.section(
            title,
            Text(
                f"{vial.code} is a kit of the blinded study {vial.blinding['study']}: its lot "
                "and donors are sealed (R-ACC-5). The sponsor's unblinded QA can trace the kit "
                "to them; this report names neither."
            ),
        )
        return
    graph = trace(sources.engine, vial.code, "up", actors=False)
    rows = []
    for node in sorted(graph.nodes.values(), key=lambda n: n.code):
        if node.item_type in (ItemType.MATERIAL_LOT.value, ItemType.SHIPMENT.value):
            continue
        made = sources.steps.of_item(node.code)
        first = doc.cite(made[:1])
        parents = [
            f"{e.relation} of {e.parent}"
            for e in graph.parents(node.code)
            if e.relation not in (MATERIAL_USED, SHIPPED_IN)
        ]
        rows.append(
            [
                node.code,
                ItemType(node.item_type).label,
                "; ".join(parents) or "-",
                f"{first[0].signer}, {first[0].at}" if first else "-",
                first[0].cited if first else "-",
            ]
        )
    donors = [n.code for n in graph.of_type(ItemType.DONOR)]
    doc.cite(s for d in donors for s in sources.steps.of_item(d))
    doc.section(
        title,
        Text(
            f"{vial.code} was filled from lot {vial.lot}, made from the cells of donor "
            f"{', '.join(donors) or '-'}; every step of the donor (consent, screening, "
            "eligibility) is cited in Appendix A."
        ),
        Table(
            ["item", "type", "made by", "made (first step)", "log #"],
            rows,
            [30.0, 30.0, 62.0, 56.0, 12.0],
        ),
    )
