"""Kits of a blinded study (R-ACC-5, R-ID-3, §7.2.3): the lots of every arm are filled together
into kits that nothing stored tells apart. Each kit is a product vial whose lot is the study,
with no donor, the earliest expiry of the lots and the one storage range they share; its real
lot and arm are sealed under the study's key. Kit codes are given to the filled units in a
random order, so neither a code's place in the sequence nor its place in the transaction says
which lot it came from. Each lot records how many kits it filled, with their codes sealed; the
study lists all its kits, so a recall can hold every kit of the study whatever its arm.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence

from ledger.domain.donor_standing import DonorStanding
from ledger.domain.product_lot import ProductLot
from ledger.domain.product_vial import Blinding, ProductVial
from ledger.domain.study import Study
from ledger.errors import RuleViolation, Violation

ARMS = ("active", "placebo")
MAX_KITS = 10_000  # from one lot in one fill
#: seal(study, kit code, {"lot": ..., "arm": ...}) and seal(study, lot code, kit codes).
SealKit = Callable[[str, dict[str, str]], str]
SealCodes = Callable[[str, list[str]], str]


def fill_kits(
    study: Study,
    lots: Sequence[tuple[ProductLot, int]],
    codes: Sequence[str],
    volume_ml: float,
    container: str,
    donors: Mapping[str, Sequence[DonorStanding]],
    seal_kit: SealKit,
    seal_codes: SealCodes,
) -> list[ProductVial]:
    """Fill `n` kits from each (lot, n) of `study` with the issued `codes` (as many as kits);
    `donors` are each lot's donor standings. Returns the kits in code order."""
    problems = kit_problems(study, lots)
    for lot, count in lots:
        problems += lot.fill_problems(count, volume_ml, container, donors.get(lot.code, ()))
    if problems:
        raise RuleViolation(problems)
    units = [lot for lot, count in lots for _ in range(count)]
    random.SystemRandom().shuffle(units)
    assigned = dict(zip(codes, units, strict=True))
    expiry = min(lot.expiry for lot, _ in lots)
    first = lots[0][0]
    for lot, count in lots:
        mine = [code for code, unit in assigned.items() if unit is lot]
        lot.fill_kits(count, volume_ml, container, seal_codes(lot.code, mine))
    study.record_kits(list(codes))
    return [
        ProductVial(
            code,
            study.code,
            [],
            float(volume_ml),
            container.strip(),
            expiry,
            first.storage,
            first.transport,
            Blinding(
                study=study.code, sealed=seal_kit(code, {"lot": lot.code, "arm": arm_of(lot)})
            ),
        )
        for code, lot in assigned.items()
    ]


def link(lot: ProductLot) -> dict[str, str]:
    """What a kit's seal holds: its lot and arm."""
    return {"lot": lot.code, "arm": arm_of(lot)}


def arm_of(lot: ProductLot) -> str:
    return lot.blinding.get("arm", "") if lot.blinding else ""


def kit_problems(study: Study, lots: Sequence[tuple[ProductLot, int]]) -> list[Violation]:
    """Why these lots cannot be filled into kits of `study` together."""
    problems = []
    if not study.blinded:
        problems.append(
            Violation.of(
                "R-ACC-5",
                "{study} is not blinded; fill its lots as vials (POST /api/v1/lots/{{code}}/fill)",
                study=study.code,
            )
        )
    codes = [lot.code for lot, _ in lots]
    if any(not 1 <= count <= MAX_KITS for _, count in lots):
        problems.append(
            Violation.of("R-PRO-4", "fill between 1 and {most} kits from each lot", most=MAX_KITS)
        )
    if len(set(codes)) != len(codes):
        problems.append(Violation.of("R-ACC-5", "name each lot once, with its number of kits"))
    strangers = [c for c, (lot, _) in zip(codes, lots, strict=True) if _study_of(lot) != study.code]
    if strangers:
        problems.append(
            Violation.of(
                "R-ACC-5",
                "not made for {study}: {lots:list}; fill only the study's active and placebo "
                "lots into its kits",
                lots=strangers,
                study=study.code,
            )
        )
    arms = {arm_of(lot) for lot, _ in lots}
    if not strangers and not set(ARMS) <= arms:
        problems.append(
            Violation.of(
                "R-ACC-5",
                "fill kits of {study} from an active and a placebo lot together; kits filled "
                "from one arm alone would be told apart by when they were filled",
                study=study.code,
            )
        )
    if len({(repr(lot.storage), repr(lot.transport)) for lot, _ in lots}) > 1:
        problems.append(
            Violation.of(
                "R-ACC-5",
                "{lots:list} are stored or shipped at different temperatures, which would tell "
                "their kits apart; make the lots under one specification",
                lots=codes,
            )
        )
    return problems


def _study_of(lot: ProductLot) -> str:
    return lot.blinding["study"] if lot.blinding else ""
