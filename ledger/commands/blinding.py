"""Opening the seals of a blinded study inside the application (R-ACC-5): a kit's lot and arm,
the kits a lot was filled into, the randomisation list. Commands open them to allocate a kit,
to check a kit's real lot before it ships or is used, to hold a study's kits on a look-back and
to unblind in an emergency; the API opens them for the unblinded roles' traces. What a command
says back to a site never names a kit's lot, arm or donor.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from ledger.core import LedgerCore
from ledger.domain.donor_standing import DonorStanding
from ledger.domain.product_lot import ProductLot
from ledger.domain.product_vial import ProductVial
from ledger.domain.study import Study
from ledger.errors import Violation
from ledger.identifiers import ItemType, parse_code
from ledger.stores import sealed


class KitLink(NamedTuple):
    """A kit's real lot and arm (never shown to a blinded reader)."""

    lot: str
    arm: str


def is_sealed(vial: ProductVial) -> bool:
    return vial.blinding is not None and "sealed" in vial.blinding


def kit_link(core: LedgerCore, vial: ProductVial) -> KitLink | None:
    """The lot and arm of a blinded kit (None for an open vial). Kits filled before sealing
    name their lot and arm in clear."""
    blinding = vial.blinding
    if blinding is None:
        return None
    if "sealed" not in blinding:
        return KitLink(vial.lot, blinding.get("arm", ""))
    opened = core.seals.unseal(blinding["study"], sealed.KIT, vial.code, blinding["sealed"])
    return KitLink(str(opened["lot"]), str(opened["arm"]))


def lot_of(core: LedgerCore, vial: ProductVial) -> ProductLot:
    """The lot a vial or kit was filled from."""
    link = kit_link(core, vial)
    return core.load(link.lot if link else vial.lot, ItemType.PRODUCT_LOT, ProductLot)


def lot_kits(core: LedgerCore, lot: ProductLot) -> list[str]:
    """The kits a lot of a blinded study was filled into (from its sealed lists)."""
    if lot.blinding is None:
        return []
    study = lot.blinding["study"]
    return [
        str(code)
        for chunk in lot.sealed_kits
        for code in core.seals.unseal(study, sealed.LOT_KITS, lot.code, chunk)
    ]


def opened_randomisation(core: LedgerCore, study: Study) -> list[list[str]]:
    """The sealed chunks of a study's randomisation list, opened."""
    return [
        [str(arm) for arm in core.seals.unseal(study.code, sealed.RANDOMISATION, study.code, s)]
        for s in study.sealed_lists
    ]


def sealed_lineage_refusals(
    core: LedgerCore, vial: ProductVial, standings: list[DonorStanding] | None = None
) -> list[Violation]:
    """Why a sealed kit may not be used because of its real lot (holds, disposal, donors),
    said without naming the lot, its donors or the arm: the site learns only that this kit
    may not be used. Empty for an open vial."""
    if not is_sealed(vial):
        return []
    from ledger.commands.donors import donor_standings

    lot = lot_of(core, vial)
    donors = standings if standings is not None else donor_standings(core, lot.donor_codes)
    if not lot.step_refusals(donors):
        return []
    assert vial.blinding is not None
    return [
        Violation.of(
            "R-ACC-5",
            "{kit} may not be used: the lot it was filled from (sealed in the blinded study "
            "{study}) is on hold or its donor may not be used; ask the sponsor's unblinded QA",
            kit=vial.code,
            study=vial.blinding["study"],
        )
    ]


def sealed_links(core: LedgerCore, codes: Iterable[str], up: bool) -> list[tuple[str, str]]:
    """The (lot, kit) links behind the seals of these items, for an unblinded reader's trace:
    going up, from each sealed kit to its lot; going down, from each blinded lot to its kits."""
    links: list[tuple[str, str]] = []
    wanted = ItemType.PRODUCT_VIAL if up else ItemType.PRODUCT_LOT
    for code in codes:
        if code[3:4] == "-" and code[:3].isupper() and code[:3] != wanted.value:
            continue  # a stored code of another type (a trace down reaches thousands of vials)
        item_type = parse_code(code).item_type
        if up and item_type is ItemType.PRODUCT_VIAL:
            kit = core.load(code, ItemType.PRODUCT_VIAL, ProductVial)
            link = kit_link(core, kit) if is_sealed(kit) else None
            links += [(link.lot, code)] if link else []
        elif not up and item_type is ItemType.PRODUCT_LOT:
            lot = core.load(code, ItemType.PRODUCT_LOT, ProductLot)
            links += [(code, kit) for kit in lot_kits(core, lot)]
    return links
