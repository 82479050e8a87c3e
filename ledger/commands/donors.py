"""Commands for donors: registration, consent, screening, the signed eligibility determination,
look-back with its holds, and personal data kept outside the chain (R-DON-1..7, R-LED-6)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.core import Actor, LedgerCore, Receipt
from ledger.domain.codes import item_id
from ledger.domain.donor import Donor
from ledger.domain.donor_standing import DonorStanding, parse_scopes
from ledger.domain.lineage import DerivedItem, Distribution
from ledger.domain.product_lot import ProductLot
from ledger.domain.product_vial import ProductVial
from ledger.domain.screening import ScreeningRecord
from ledger.domain.study import Study
from ledger.identifiers import ItemType
from ledger.stores.personal_data import PersonalData

REGISTER = "donors.register"
CONSENT = "donors.consent"
SCREEN = "donors.screen"
ELIGIBILITY = "donors.eligibility"
LOOKBACK = "donors.lookback"
PERSONAL_DATA = "donors.personal_data"


class DonorCommands(LedgerCore):
    def register_donor(
        self, actor: Actor, *, autologous: bool = False, identity: PersonalData | None = None
    ) -> tuple[str, Receipt]:
        """Register a donor under a new pseudonymous code; identifying data, if given, is
        stored encrypted outside the chain (R-LED-6)."""
        actor = self.authorise(actor, REGISTER)
        with self.command(actor):
            sequence, (code,) = self.issue_codes(ItemType.DONOR)
            donor = Donor(str(code), autologous)
            if identity is not None:
                donor.record_identity(identity.fields())
        receipt = self.record(sequence, donor)
        if identity is not None:
            # After the save: only then does the code surely belong to this donor.
            self.personal_data.store(str(code), identity, self.clock())
        return str(code), receipt

    def record_consent(
        self,
        actor: Actor,
        donor_code: str,
        scopes: Sequence[str],
        project: str,
        institution: str,
        form_version: str,
        consented_on: date,
    ) -> Receipt:
        """Record the signed consent and what it authorises (R-DON-6, §8.2(2))."""
        actor, donor = self.on_item(actor, CONSENT, self.get_donor, donor_code)
        checked = parse_scopes(list(scopes))
        with self.command(actor):
            donor.record_consent(
                checked, project, institution, form_version, consented_on, self.today()
            )
        return self.record(donor)

    def withdraw_consent(
        self, actor: Actor, donor_code: str, reason: str, withdrawn_on: date
    ) -> Receipt:
        actor, donor = self.on_item(actor, CONSENT, self.get_donor, donor_code)
        with self.command(actor):
            donor.withdraw_consent(reason, withdrawn_on)
        return self.record(donor)

    def record_screening(
        self, actor: Actor, donor_code: str, screening: ScreeningRecord
    ) -> Receipt:
        """Record one screening with its marker results and hemodilution (R-DON-1..3)."""
        actor, donor = self.on_item(actor, SCREEN, self.get_donor, donor_code)
        with self.command(actor):
            donor.record_screening(screening)
        return self.record(donor)

    def determine_eligibility(
        self,
        actor: Actor,
        donor_code: str,
        eligible: bool,
        reason: str,
        relaxation_justification: str = "",
    ) -> Receipt:
        """QA signs the eligibility determination with the meaning "approved" (R-DON-4, R-DON-5)."""
        actor, donor = self.on_item(actor, ELIGIBILITY, self.get_donor, donor_code)
        with self.command(actor):
            donor.determine_eligibility(eligible, reason, relaxation_justification)
        return self.record(donor)

    def declare_donor_ineligible(
        self, actor: Actor, donor_code: str, reason: str, found_on: date
    ) -> Receipt:
        """Look-back (R-DON-7): the donor becomes ineligible and every item derived from them
        is put on hold in the same transaction, each with the reason in its own history."""
        actor, donor = self.on_item(actor, LOOKBACK, self.get_donor, donor_code)
        affected = self._descendants(donor)
        kits = study_kits(self, affected)
        with self.command(actor):
            donor.declare_ineligible_after_lookback(reason, found_on)
            why = f"donor {donor.code} became ineligible after look-back: {reason.strip()}"
            for item in affected:
                item.put_on_hold("R-DON-7", why, donor.code)
            for study, held in kits.items():
                for kit in held:
                    kit.put_on_hold("R-ACC-5", STUDY_HOLD.format(study=study), study)
        return self.record(donor, *affected, *(k for held in kits.values() for k in held))

    def list_donor_descendants(self, donor_code: str) -> list[str]:
        """Codes of every item made from the donor's material: the look-back recall list."""
        return [item.code for item in self._descendants(self.get_donor(donor_code))]

    def record_donor_identity(
        self, actor: Actor, donor_code: str, identity: PersonalData
    ) -> Receipt:
        """Store (or replace) the donor's identifying data, encrypted, outside the chain."""
        actor, donor = self.on_item(actor, PERSONAL_DATA, self.get_donor, donor_code)
        with self.command(actor):
            donor.record_identity(identity.fields())
        self.personal_data.store(donor.code, identity, self.clock())
        return self.record(donor)

    def erase_donor_identity(self, actor: Actor, donor_code: str, reason: str) -> Receipt:
        """Destroy the donor's key and ciphertext (R-LED-6); the chain keeps only the code."""
        actor, donor = self.on_item(actor, PERSONAL_DATA, self.get_donor, donor_code)
        with self.command(actor):
            donor.erase_identity(reason)
        # Erase first: a failure to record afterwards can be retried, an erasure cannot be undone.
        self.personal_data.erase(donor.code)
        return self.record(donor)

    def reapply_identity_erasures(self) -> list[str]:
        """Erase again, in the key store, every donor whose erasure the ledger records (R-LED-8):
        run after restoring a key store backup taken before some erasures. Returns the codes
        whose key had come back and was destroyed again."""
        topic = f"{get_topic(Donor)}.IdentityErased"  # the event class `@event` made
        erased: list[str] = []
        position = 0
        while True:
            found = self.recorder.select_notifications(
                start=position, limit=1000, topics=[topic], inclusive_of_start=False
            )
            if not found:
                return erased
            for notification in found:
                donor: Aggregate = self.repository.get(UUID(str(notification.originator_id)))
                if isinstance(donor, Donor) and self.personal_data.erase(donor.code):
                    erased.append(donor.code)
            position = found[-1].id

    def get_donor_identity(self, donor_code: str) -> PersonalData | None:
        return self.personal_data.read(self.get_donor(donor_code).code)

    def get_donor(self, donor_code: str) -> Donor:
        return self.load(donor_code, ItemType.DONOR, Donor)

    def _descendants(self, donor: Donor) -> list[DerivedItem]:
        found: list[DerivedItem] = []
        seen: set[str] = set()
        queue = list(donor.children)
        while queue:
            code = queue.pop(0)
            if code in seen:
                continue
            seen.add(code)
            item: Aggregate = self.repository.get(item_id(code))
            if isinstance(item, DerivedItem):
                found.append(item)
                queue.extend(item.children)
        return found


#: A look-back that reaches a blinded study's lot holds every kit of the study, both arms, so the
#: holds a site sees do not tell which kits came from the lot (R-ACC-5).
STUDY_HOLD = (
    "a lot of the blinded study {study} is under look-back; every kit of {study} is held "
    "until the sponsor's unblinded QA decides"
)


DISTRIBUTE = "donors.distribution"


class DistributionCommands(LedgerCore):
    def distribute(
        self,
        actor: Actor,
        item_code: str,
        what: str,
        institution: str,
        project: str,
        reference: str,
    ) -> Receipt:
        """QA's signed release of donor material, or its data, to another institution or
        project, only within every donor's consent (R-DON-8, §8.2(2))."""
        actor, item = self.on_item(
            actor, DISTRIBUTE, self.loader(tuple(ItemType), DerivedItem), item_code
        )
        donors = donor_standings(self, item.donor_codes)
        with self.command(actor):
            item.distribute(
                Distribution(
                    what=what, institution=institution, project=project, reference=reference
                ),
                donors,
            )
        return self.record(item)


def study_kits(core: LedgerCore, items: Iterable[DerivedItem]) -> dict[str, list[ProductVial]]:
    """Every kit of each blinded study whose lot is among `items`, by study."""
    studies = sorted(
        {i.blinding["study"] for i in items if isinstance(i, ProductLot) and i.blinding}
    )
    return {
        study: [
            core.load(code, ItemType.PRODUCT_VIAL, ProductVial)
            for code in core.load(study, ItemType.STUDY, Study).kits
        ]
        for study in studies
    }


def donor_standings(core: LedgerCore, codes: Iterable[str]) -> list[DonorStanding]:
    """The standing of each donor an item descends from, for the item's step checks."""
    # read only: a standing holds only values that cannot change (strings, enums, frozensets)
    return [
        core.load(code, ItemType.DONOR, Donor, read_only=True).standing()
        for code in dict.fromkeys(codes)
    ]
