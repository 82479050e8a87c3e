"""Sample label content of every stage and a sample fill run, for docs, demos and benchmarks.

The example key is derived from a published seed: it signs the worked example in
docs/label-format.md and must never be trusted by a scanner (R-ID-2).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import TypedDict

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from label_printing import stages
from label_printing.content import LabelContent
from label_printing.signing import label_key_name
from ledger.identifiers import ItemType, format_code
from ledger.integrity.note import Signer

EXAMPLE_SEED = bytes(range(32))
EXAMPLE_ORIGIN = "celltrace.example/ledger"
EXAMPLE_BASE_URL = "https://celltrace.example"
FACILITY = "F01"
FACILITY_NAME = "CellTrace GMP Facility F01"
PRODUCT = "CT-101 MSC suspension"
BLINDED_PRODUCT = "CT-101 or placebo"
EXPIRY = date(2026, 12, 31)
HARVEST_EXPIRY = datetime(2026, 3, 14, 18, 30, tzinfo=timezone(timedelta(hours=8)))


class _Batch(TypedDict):
    product: str
    lot: str
    facility: str


def example_signer() -> Signer:
    """The example label key (seed 00 01 ... 1f); for documentation and tests only."""
    private_key = Ed25519PrivateKey.from_private_bytes(EXAMPLE_SEED)
    return Signer(private_key, label_key_name(EXAMPLE_ORIGIN))


def code(item_type: ItemType, serial: int) -> str:
    """An item code of the example facility issued in 2026."""
    return format_code(item_type, FACILITY, 2026, serial)


def example_labels() -> dict[str, LabelContent]:
    """One label of each stage, keyed by a short name."""
    lot, patient = code(ItemType.PRODUCT_LOT, 3), code(ItemType.PATIENT, 7)
    # Culture and harvest of an autologous donor, in the lot the product vials are filled into.
    batch = _Batch(product=PRODUCT, lot=lot, facility=FACILITY_NAME)
    donor = code(ItemType.DONOR, 5)
    return {
        "bank_vial": stages.bank_vial(
            code(ItemType.BANK_VIAL, 12),
            cell_line="CT-101 MSC WCB",
            bank=code(ItemType.WORKING_CELL_BANK, 2),
            facility=FACILITY_NAME,
        ),
        "culture_vessel": stages.culture_vessel(
            code(ItemType.CULTURE, 21),
            **batch,
            autologous_donor=donor,
            details=("Passage 3, T175 flask",),
        ),
        "harvest_container": stages.harvest_container(
            code(ItemType.HARVEST, 4), **batch, expiry=HARVEST_EXPIRY, autologous_donor=donor
        ),
        "product_vial": stages.product_vial(
            code(ItemType.PRODUCT_VIAL, 42),
            product=PRODUCT,
            lot=lot,
            expiry=EXPIRY,
            facility=FACILITY_NAME,
            recipient=patient,
        ),
        "blinded_vial": blinded_vial(43),
        "shipment_container": stages.shipment_container(
            code(ItemType.SHIPPING_CONTAINER, 9),
            contents=f"{PRODUCT}, 4 vials",
            facility=FACILITY_NAME,
            destination="SIT-DEMO University Hospital",
            lot=lot,
            expiry=EXPIRY,
            recipient=patient,
        ),
        "patient_wristband": stages.patient_wristband(
            patient, study="CT-101 phase I/II", site="University Hospital"
        ),
        "person_badge": stages.person_badge(
            code(ItemType.PERSON, 4),
            name="Chen Jing",
            roles=["operator", "qa"],
            facility=FACILITY_NAME,
        ),
        "material_lot": stages.generic_label(
            code(ItemType.MATERIAL_LOT, 88),
            product="Human platelet lysate",
            facility=FACILITY_NAME,
            expiry=date(2027, 6, 30),
            storage="Store at -20 °C",
            human_origin=True,
        ),
    }


def blinded_vial(serial: int) -> LabelContent:
    """A vial of the example blinded lot; which arm it holds is nowhere in its label."""
    return stages.blinded_product_vial(
        code(ItemType.PRODUCT_VIAL, serial),
        study_product=BLINDED_PRODUCT,
        lot=code(ItemType.PRODUCT_LOT, 4),
        expiry=EXPIRY,
        facility=FACILITY_NAME,
    )


def fill_run(count: int, first_serial: int = 100) -> list[LabelContent]:
    """The product vials of one example fill run (lot LOT-F01-26-000003)."""
    return [
        stages.product_vial(
            code(ItemType.PRODUCT_VIAL, first_serial + i),
            product=PRODUCT,
            lot=code(ItemType.PRODUCT_LOT, 3),
            expiry=EXPIRY,
            facility=FACILITY_NAME,
        )
        for i in range(count)
    ]
