"""What goes on the label of a recorded item (R-ID-2): the ledger's facts turned into
LabelContent. Stages without a recorded item type yet fall back to a generic label.

Wiring between the ledger and label rendering, used by the CLI and the API: it loads
aggregates through the application, so it lives at the entry points' level, above
`label_printing`, which only renders the values it is given (STYLE.md "Layers")."""

from __future__ import annotations

from pathlib import Path

from label_printing import stages
from label_printing.cli import load_signer, write_labels, write_sheet
from label_printing.content import LabelContent
from label_printing.errors import LabelError
from ledger.application import CellTraceLedger
from ledger.domain.bank_vial import BankVial
from ledger.domain.cell_source import CellSource
from ledger.domain.cellbank import CellBank
from ledger.domain.collection import Collection
from ledger.domain.material_lot import MaterialLot
from ledger.domain.study import Study
from ledger.identifiers import ItemType, parse_code

# Items of human origin carry the biohazard statement.
HUMAN_ORIGIN = {
    ItemType.COLLECTION,
    ItemType.CELL_PORTION,
    ItemType.CLONE,
    ItemType.SEED_BANK,
    ItemType.MASTER_CELL_BANK,
    ItemType.WORKING_CELL_BANK,
}


def label_content(app: CellTraceLedger, code: str) -> LabelContent:
    """The label of the item `code`, from what the ledger recorded about it."""
    parsed = parse_code(code)
    facility = app.settings.facility
    kind = parsed.item_type
    if kind is ItemType.BANK_VIAL:
        vial = app.load(str(parsed), kind, BankVial)
        bank = app.load(vial.bank, _bank_types(), CellBank)
        return stages.bank_vial(
            str(parsed),
            cell_line=_cell_line(app, bank),
            bank=vial.bank,
            facility=facility,
            autologous_donor=_autologous_donor(app, vial.donor_codes),
        )
    if kind is ItemType.PRODUCT_VIAL:
        return _product_vial(app, str(parsed))
    if kind is ItemType.CULTURE:
        culture = app.get_culture(str(parsed))
        vial = app.get_bank_vial(culture.sources[0])
        bank = app.load(vial.bank, _bank_types(), CellBank)
        return stages.culture_vessel(
            str(parsed),
            product=_cell_line(app, bank),
            lot=vial.bank,
            facility=facility,
            autologous_donor=_autologous_donor(app, culture.donor_codes),
            details=(f"Passage {culture.passage}",),
        )
    if kind is ItemType.HARVEST:
        harvest = app.get_harvest(str(parsed))
        culture_code = harvest.sources[0]
        return stages.harvest_container(
            str(parsed),
            product=f"Conditioned medium, {harvest.volume_ml:g} mL",
            lot=culture_code,
            facility=facility,
            expiry=None,
            autologous_donor=_autologous_donor(app, harvest.donor_codes),
        )
    if kind is ItemType.MATERIAL_LOT:
        lot = app.load(str(parsed), kind, MaterialLot)
        return stages.generic_label(
            str(parsed), product=lot.material, facility=facility, expiry=lot.expiry
        )
    if kind is ItemType.COLLECTION:
        sample = app.load(str(parsed), kind, Collection)
        product = f"Donor sample: {sample.sample_type.value.replace('_', ' ')}"
        return stages.generic_label(
            str(parsed), product=product, facility=facility, human_origin=True
        )
    if kind in (ItemType.CELL_PORTION, ItemType.CLONE):
        source = app.load(str(parsed), kind, CellSource)
        return stages.generic_label(
            str(parsed), product=source.cell_type, facility=facility, human_origin=True
        )
    if kind in (ItemType.PERSON, ItemType.DONOR):
        raise LabelError(
            f"{parsed} is a {kind.label}: people and donors get no item label (donor "
            "samples do); print the label of the sample or vial instead."
        )
    return stages.generic_label(
        str(parsed),
        product=kind.label.capitalize(),
        facility=facility,
        human_origin=kind in HUMAN_ORIGIN,
    )


def _product_vial(app: CellTraceLedger, code: str) -> LabelContent:
    """A product vial: the lot's product, expiry and storage. For a blinded study's kit nothing
    that tells the arm (R-ID-3, R-ACC-5): the study's blinded product name, and no lot (a kit's
    lot is sealed)."""
    vial = app.get_product_vial(code)
    storage = f"Store at {vial.storage['min_c']:g} to {vial.storage['max_c']:g} °C"
    recipient = _autologous_donor(app, vial.donor_codes)
    facility = app.settings.facility
    if vial.blinding is not None:
        return stages.blinded_product_vial(
            code,
            study_product=f"{vial.blinding['study']} investigational product",
            lot=None,
            expiry=vial.expiry,
            facility=facility,
            storage=storage,
            recipient=recipient,
        )
    return stages.product_vial(
        code,
        product=app.get_product_lot(vial.lot).product,
        lot=vial.lot,
        expiry=vial.expiry,
        facility=facility,
        storage=storage,
        recipient=recipient,
    )


def children_labels(app: CellTraceLedger, code: str) -> list[LabelContent]:
    """Labels for everything filled from `code` (every vial of a bank or a lot, every kit of a
    blinded study, in code order)."""
    return [label_content(app, child) for child in fill_run(app, code)]


#: The items whose every vial or kit is labelled at once (`fill_run`), by code prefix.
FILL_RUNS = ("STU", "SCB", "MCB", "WCB", "LOT")


def fill_run(app: CellTraceLedger, code: str) -> list[str]:
    """The codes of everything filled from `code`: every vial of a bank or a lot, every kit of
    a blinded study. A blinded study's lot is refused: grouping its kits by lot would tell
    their arm (R-ACC-5)."""
    parsed = parse_code(code)
    if parsed.item_type is ItemType.STUDY:
        return list(app.load(str(parsed), ItemType.STUDY, Study).kits)
    if parsed.item_type in _bank_types():
        return list(app.load(str(parsed), parsed.item_type, CellBank).children)
    if parsed.item_type is ItemType.PRODUCT_LOT:
        lot = app.get_product_lot(str(parsed))
        if lot.blinding is not None:
            raise LabelError(
                f"{parsed} is a lot of the blinded study {lot.blinding['study']}; its kits are "
                f"printed with the study's (give {lot.blinding['study']}), so no print run "
                "groups the kits of one lot (R-ACC-5)."
            )
        return [c for c in lot.children if parse_code(c).item_type is ItemType.PRODUCT_VIAL]
    raise LabelError(
        f"{parsed} is a {parsed.item_type.label}; give the code of a fill run "
        "(a cell bank, a product lot once filled, or a blinded study's kits) to print all its "
        "labels."
    )


def badge_content(app: CellTraceLedger, code: str) -> LabelContent:
    """A person's badge: code, printed name from the personal-data store (when on record) and
    current roles; its signed QR fills in who signs in (docs/label-format.md)."""
    person = app.get_person(code)
    return stages.person_badge(
        person.code,
        name=app.person_name(person.code),
        roles=sorted(person.roles),
        facility=app.settings.facility,
    )


def _bank_types() -> tuple[ItemType, ...]:
    return (ItemType.SEED_BANK, ItemType.MASTER_CELL_BANK, ItemType.WORKING_CELL_BANK)


def _cell_line(app: CellTraceLedger, bank: CellBank) -> str:
    """The cell type of the cells the bank was made from (walking up through earlier banks)."""
    for source in bank.sources:
        item_type = parse_code(source).item_type
        if item_type is ItemType.BANK_VIAL:
            vial = app.load(source, item_type, BankVial)
            return _cell_line(app, app.load(vial.bank, _bank_types(), CellBank))
        if item_type in _bank_types():
            return _cell_line(app, app.load(source, item_type, CellBank))
        if item_type in (ItemType.CELL_PORTION, ItemType.CLONE):
            return app.load(source, item_type, CellSource).cell_type
    return "Cell bank"


def _autologous_donor(app: CellTraceLedger, donor_codes: list[str]) -> str | None:
    for code in donor_codes:
        if app.get_donor(code).autologous:
            return code
    return None


def write_vial_labels(app: CellTraceLedger, codes: list[str], out_dir: Path) -> list[Path]:
    """Write a PNG label per vial and one PDF sheet of them all into `out_dir` (the demo)."""
    contents = [label_content(app, code) for code in codes]
    if not contents:
        return []
    signer = load_signer(app.settings)
    base = app.settings.base_url
    files = write_labels(contents, "png", out_dir, signer, base)
    files.append(write_sheet(contents, out_dir / "vials-sheet.pdf", signer, base))
    return files
