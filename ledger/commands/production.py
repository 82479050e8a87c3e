"""Commands from a thawed working-bank vial to filled product vials: culture and passages,
the supernatant-collection stage, harvests, purification into a lot, placebo lots, fill, and
disposal of any item (R-PRO-1..4, R-PRO-6, R-ID-3, R-MAT at every use).

Each step loads the donors its item descends from and the material lots it uses, passes those
facts to the aggregate, and saves every touched aggregate (parents included) in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from eventsourcing.domain import Aggregate

from ledger.commands.donors import donor_standings
from ledger.commands.materials import check_material_uses
from ledger.commands.quality import spec_version
from ledger.commands.storage import vials_leave_units
from ledger.core import Actor, LedgerCore, Receipt
from ledger.domain.bank_vial import BankVial
from ledger.domain.base import Meaning
from ledger.domain.cell_source import CellSource
from ledger.domain.codes import item_id
from ledger.domain.culture import Culture, PassagePlan
from ledger.domain.harvest import Harvest
from ledger.domain.kits import fill_kits, kit_problems
from ledger.domain.lineage import DerivedItem, Disposal
from ledger.domain.material_use import Stage, UseOf
from ledger.domain.people import Person
from ledger.domain.placebo_lot import ACTIVE, PlaceboLot
from ledger.domain.product_lot import ProductLot
from ledger.domain.product_vial import Blinding, ProductVial
from ledger.domain.purification import Purification
from ledger.domain.quality import VECTOR_RESIDUE
from ledger.domain.study import Study
from ledger.errors import InvalidInput, NotFound, RuleViolation, Violation
from ledger.identifiers import ItemType
from ledger.stores import sealed

CULTURE = "production.culture"
PASSAGE = "production.passage"
COLLECTION_STAGE = "production.collection_stage"
HARVEST = "production.harvest"
PURIFY = "production.purify"
PLACEBO = "production.placebo"
FILL = "production.fill"
KITS = "production.kits"
DISPOSE = "production.dispose"


class ProductionCommands(LedgerCore):
    def start_culture(
        self, actor: Actor, vial_code: str, medium: Sequence[UseOf]
    ) -> tuple[str, Receipt]:
        """Seed a culture from a thawed working-bank vial fit for production (R-PRO-1)."""
        actor, vial = self.on_item(
            actor, CULTURE, self.loader(ItemType.BANK_VIAL, BankVial), vial_code
        )
        donors = donor_standings(self, vial.donor_codes)
        checks = check_material_uses(self, medium, Stage.EXPANSION_CULTURE)
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.CULTURE)
            culture = Culture.start(str(code), vial, donors, checks)
        return str(code), self.record(sequence, vial, culture)

    def record_passage(
        self,
        actor: Actor,
        culture_code: str,
        plan: PassagePlan,
        medium: Sequence[UseOf],
        materials: Sequence[UseOf] = (),
    ) -> Receipt:
        """One passage: medium and other lots (checked at the culture's stage), feed and
        dissociation method, within the bank's passage limit (R-PRO-1, R-MAT-1..4)."""
        actor, culture = self.on_item(actor, PASSAGE, self.get_culture, culture_code)
        medium_checks = check_material_uses(self, medium, culture.stage)
        checks = check_material_uses(self, materials, culture.stage)
        with self.command(actor):
            culture.record_passage(
                plan, medium_checks, checks, donor_standings(self, culture.donor_codes)
            )
        return self.record(culture)

    def begin_supernatant_collection(
        self, actor: Actor, culture_code: str, medium: Sequence[UseOf]
    ) -> Receipt:
        """Move the culture to the serum-free supernatant-collection stage (R-PRO-2, R-MAT-4)."""
        actor, culture = self.on_item(actor, COLLECTION_STAGE, self.get_culture, culture_code)
        checks = check_material_uses(self, medium, Stage.SUPERNATANT_COLLECTION)
        with self.command(actor):
            culture.begin_collection(checks, donor_standings(self, culture.donor_codes))
        return self.record(culture)

    def harvest_supernatant(
        self,
        actor: Actor,
        culture_code: str,
        volume_ml: float,
        medium: Sequence[UseOf],
        harvested_at: datetime | None = None,
    ) -> tuple[str, Receipt]:
        """One supernatant harvest of a culture in the collection stage (R-PRO-2)."""
        actor, culture = self.on_item(actor, HARVEST, self.get_culture, culture_code)
        donors = donor_standings(self, culture.donor_codes)
        checks = check_material_uses(self, medium, Stage.SUPERNATANT_COLLECTION)
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.HARVEST)
            harvest = Harvest.collect(
                str(code), culture, donors, volume_ml, checks, harvested_at or self.clock()
            )
        return str(code), self.record(sequence, culture, harvest)

    def purify_lot(
        self,
        actor: Actor,
        harvest_codes: Sequence[str],
        purification: Purification,
        specification: str,
        materials: Sequence[UseOf] = (),
        *,
        blinded_study: str = "",
    ) -> tuple[str, Receipt]:
        """Pool harvests into a product lot under the specification's current version; the
        lot's mandatory tests come from walking up its inputs (R-PRO-3, R-QC-1, R-QC-3)."""
        actor = self.authorise(actor, PURIFY)
        harvests = [self.get_harvest(c) for c in dict.fromkeys(harvest_codes)]
        donors = donor_standings(self, (d for h in harvests for d in h.donor_codes))
        checks = check_material_uses(self, materials, Stage.PURIFICATION)
        spec = spec_version(self, specification)
        inherited = genealogy_tests(self, [h.code for h in harvests])
        blinding = Blinding(study=blinded_study.strip(), arm=ACTIVE) if blinded_study else None
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.PRODUCT_LOT)
            lot = ProductLot.purify(
                str(code),
                harvests,
                donors,
                purification,
                checks,
                inherited,
                spec,
                blinding,
                self.clock(),
            )
        return str(code), self.record(sequence, lot, *harvests)

    def formulate_placebo_lot(
        self,
        actor: Actor,
        study: str,
        formulation: str,
        volume_ml: float,
        specification: str,
        materials: Sequence[UseOf],
    ) -> tuple[str, Receipt]:
        """A placebo lot for a blinded study; its vials look like active ones (R-ID-3)."""
        actor = self.authorise(actor, PLACEBO)
        checks = check_material_uses(self, materials, Stage.PURIFICATION)
        spec = spec_version(self, specification)
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.PRODUCT_LOT)
            lot = PlaceboLot.formulate(
                str(code), study, formulation, volume_ml, checks, spec, self.clock()
            )
        return str(code), self.record(sequence, lot)

    def fill_lot(
        self, actor: Actor, lot_code: str, vials: int, volume_ml: float, container: str
    ) -> tuple[list[str], Receipt]:
        """Fill a lot into `vials` product vials, each with its own code (R-PRO-4)."""
        actor, lot = self.on_item(actor, FILL, self.get_product_lot, lot_code)
        donors = donor_standings(self, lot.donor_codes)
        with self.command(actor):
            sequence, codes = self.issue_codes(ItemType.PRODUCT_VIAL, max(vials, 1))
            made = lot.fill([str(c) for c in codes][:vials], volume_ml, container, donors)
        return [v.code for v in made], self.record(sequence, lot, *made)

    def fill_kits(
        self,
        actor: Actor,
        study_code: str,
        lots: Mapping[str, int],
        volume_ml: float,
        container: str,
    ) -> tuple[list[str], Receipt]:
        """Fill the active and placebo lots of a blinded study together into kits that no
        record tells apart, each kit's lot and arm sealed (R-ACC-5, R-PRO-4); `lots` gives
        the number of kits from each lot. Returns the kit codes."""
        actor = self.authorise(actor, KITS)
        study = self.load(study_code, ItemType.STUDY, Study)
        made = [(self.get_product_lot(code), int(n)) for code, n in lots.items()]
        donors = {lot.code: donor_standings(self, lot.donor_codes) for lot, _ in made}
        early = kit_problems(study, made)
        if early:
            raise RuleViolation(early)
        total = sum(n for _, n in made)
        now = self.clock()

        def seal_kit(code: str, link: dict[str, str]) -> str:
            return self.seals.seal(study.code, sealed.KIT, code, link, now)

        def seal_codes(lot: str, codes: list[str]) -> str:
            return self.seals.seal(study.code, sealed.LOT_KITS, lot, codes, now, len(codes))

        with self.command(actor):
            sequence, codes = self.issue_codes(ItemType.PRODUCT_VIAL, max(total, 1))
            kits = fill_kits(
                study,
                made,
                [str(c) for c in codes][:total],
                volume_ml,
                container,
                donors,
                seal_kit,
                seal_codes,
            )
        return [k.code for k in kits], self.record(
            sequence, study, *(lot for lot, _ in made), *kits
        )

    def dispose_item(
        self,
        actor: Actor,
        item_code: str,
        category: str,
        method: str,
        witness: Actor,
        note: str = "",
    ) -> Receipt:
        """Dispose of a non-conforming or surplus item with method and witness (R-PRO-6): the
        person disposing signs with their password, the witness signs too, as witnessed
        (R-LED-5, R-PPL-4)."""
        actor = self.authorise(actor, DISPOSE)
        item = self.load(item_code, tuple(ItemType), DerivedItem)
        try:
            self.load(witness.person_id, ItemType.PERSON, Person)
        except (NotFound, InvalidInput):
            raise RuleViolation(
                [
                    Violation.of(
                        "R-PRO-6",
                        "the witness {witness!r} is not a registered person",
                        witness=witness.person_id,
                    )
                ]
            ) from None
        witnessed = self.cosign(witness, DISPOSE, Meaning.WITNESSED)
        with self.command(actor, cosign=witnessed):
            item.dispose(
                Disposal(
                    category=category,
                    method=method.strip(),
                    witness=witness.person_id.strip(),
                    note=note.strip(),
                ),
                actor.person_id,
            )
            vials = [item] if isinstance(item, ProductVial) else []
            left = vials_leave_units(self, vials, "destroyed")
        return self.record(item, *left)

    def get_culture(self, code: str) -> Culture:
        return self.load(code, ItemType.CULTURE, Culture)

    def get_harvest(self, code: str) -> Harvest:
        return self.load(code, ItemType.HARVEST, Harvest)

    def get_product_lot(self, code: str) -> ProductLot:
        return self.load(code, ItemType.PRODUCT_LOT, ProductLot)

    def get_product_vial(self, code: str) -> ProductVial:
        return self.load(code, ItemType.PRODUCT_VIAL, ProductVial)


def genealogy_tests(core: LedgerCore, codes: Iterable[str]) -> list[str]:
    """Every test made mandatory anywhere up the genealogy of `codes` (R-QC-1): the tests
    each ancestor's material uses mandated (R-MAT-2/3/5), and a vector-residue test when an
    ancestor was engineered (§5.5.2)."""
    tests: set[str] = set()
    seen: set[str] = set()
    queue = list(codes)
    while queue:
        code = queue.pop()
        if code in seen:
            continue
        seen.add(code)
        item: Aggregate = core.repository.get(item_id(code))
        if not isinstance(item, DerivedItem):
            continue  # a donor: the top of the genealogy
        tests.update(item.mandatory_tests)
        if isinstance(item, CellSource) and item.vector is not None:
            tests.add(VECTOR_RESIDUE)
        queue.extend(item.sources)
    return sorted(tests)
