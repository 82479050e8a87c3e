"""What each event on a timeline says happened (R-TRC-3): the sentence of the page catalogue
(`event.<name>` in `ledger.api.pages.i18n.MESSAGES`, English and Chinese) and the values it
shows, taken from the stored event's fields by name, with a few counted from them.

A blinded study's seals stay shut (R-ACC-5): the fields that carry a kit's arm and real lot
are dropped before any sentence sees an event. The events of the ledger's bookkeeping
aggregates, which are no item and never on a timeline, are named in `FALLBACK` and shown by a
readable form of their name. Imports no domain class.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ledger.projections.narrative_values import (
    Derive,
    Scene,
    administered,
    count,
    frozen,
    held,
    lifted,
    materials,
    readings,
    receipt,
    received_back,
    reconciled,
    released,
    screening,
    shipped,
    stored,
    word,
)

#: Fields no sentence is given: bookkeeping, and what a blinded study seals (R-ACC-5).
HIDDEN = frozenset(
    {
        "originator_id",
        "originator_version",
        "originator_topic",
        "originator_id_type",
        "timestamp",
        "stamp",
        "blinding",
        "sealed",
        "sealed_codes",
        "arms",
    }
)
#: The sentence of an event shown by its readable name (`{name}`).
FALLBACK_KEY = "event.fallback"


@dataclass(frozen=True)
class Said:
    """A sentence of the page catalogue and the values of its placeholders."""

    key: str
    params: Mapping[str, Any]


#: Every event type with a sentence: by stored qualified name where aggregates share an event
#: name, else by event name; with what it shows besides the fields (None: the fields only).
SENTENCES: dict[str, Derive | None] = {
    # every traced item (ledger.domain.lineage, ledger.domain.correction)
    "ItemsDerived": None,
    "PutOnHold": held,
    "HoldLifted": lifted,
    "Disposed": None,
    "MaterialDistributed": None,
    "DataShared": None,
    "EntryCorrected": None,
    # donors
    "Donor.Registered": word("kind", ("autologous",), "autologous", "allogeneic"),
    "IdentityRecorded": None,
    "IdentityErased": None,
    "ConsentRecorded": None,
    "ConsentWithdrawn": None,
    "ScreeningRecorded": screening,
    "EligibilityDetermined": word("verdict", ("eligible",), "eligible", "ineligible"),
    "IneligibleAfterLookback": None,
    # materials
    "MaterialLot.Received": None,
    "MaterialLot.Released": None,
    "MaterialLot.Rejected": None,
    "Recalled": None,
    # cells, banks, production
    "Collection.Received": None,
    "CellLineStock.Received": None,
    "Isolated": None,
    "Picked": None,
    "Engineered": None,
    "IdentityConfirmed": word("verdict", ("conforms",), "conforms", "does not conform"),
    "Established": count("vials"),
    "CellBank.Released": None,
    "CellBank.TestResultRecorded": word("verdict", ("result", "passed"), "passed", "failed"),
    "TestResultRecorded": word(
        "verdict", ("result", "in_spec"), "in specification", "out of specification"
    ),
    "Frozen": frozen,
    "Thawed": None,
    "Started": materials,
    "Passaged": None,
    "CollectionStageStarted": materials,
    "Collected": None,
    "Purified": None,
    "Formulated": None,
    "Quarantined": None,
    "QuarantineLifted": None,
    "Rejected": None,
    "Certified": None,
    "Closed": None,
    "VialsFilled": None,
    "KitsFilled": None,
    "OosInvestigationOpened": None,
    "OosFindingRecorded": None,
    "OosConcluded": None,
    # product vials and their accounts
    "Filled": None,
    "Retained": None,
    "StoredInUnit": None,
    "LeftUnit": None,
    "Reconciled": reconciled,
    "DiscrepancyFound": None,
    # shipments, the site pharmacy, returns
    "Shipped": shipped,
    "HandedOff": None,
    "ReadingsRecorded": readings,
    "ExcursionFound": None,
    "ExcursionAssessed": word("verdict", ("acceptable",), "acceptable", "not acceptable"),
    "Delivered": None,
    "ReceiptInspected": receipt,
    "ReleasedForUse": released,
    "VialsStored": stored,
    "VialDispensed": None,
    "VialThawed": None,
    "VialUsed": None,
    "VialsReturned": None,
    "Returned": None,
    "ReceivedBack": received_back,
    # sites, studies, patients, safety
    "Site.Registered": None,
    "ShipmentSent": None,
    "UnitRegistered": None,
    "Study.Registered": None,
    "SiteActivated": None,
    "SubjectEnrolled": None,
    "SubjectRandomised": None,
    "RandomisationLoaded": None,
    "RandomisationSealed": None,
    "KitsAdded": None,
    "AdverseEventReported": word(
        "seriousness", ("adverse_event", "serious"), "serious", "not serious"
    ),
    "AdverseEventFollowedUp": None,
    "ReportRecorded": None,
    "HaltReported": None,
    "Paused": None,
    "Resumed": None,
    "Terminated": None,
    "PausedFor": None,
    "ResumedBy": None,
    "TerminatedBy": None,
    "Enrolled": None,
    "Administered": administered,
    "Exited": None,
    "VisitCompleted": None,
    "EmergencyUnblinded": None,
    # monitored storage units
    "StorageUnit.Registered": None,
    "ItemsPut": None,
    "ItemsTaken": None,
    # people
    "Person.Registered": None,
    "RoleGranted": None,
    "RoleRevoked": None,
    "TrainingRecorded": None,
    "QPAuthorised": None,
    # the quality system
    "Deviation.Opened": None,
    "Deviation.Closed": None,
    "CapaPlanned": None,
    "Planned": None,
    "Completed": None,
    "EffectivenessChecked": word("verdict", ("effective",), "effective", "ineffective"),
}
#: The variants a sentence has besides its own (`event.<name><variant>`).
VARIANTS: dict[str, tuple[str, ...]] = {
    "ReceiptInspected": (".passed", ".failed", ".missing"),
    "ReleasedForUse": (".vial",),
    "VialsStored": (".vial",),
    "Administered": (".numbered",),
}
#: Event types shown by a readable form of their name: those of the ledger's bookkeeping
#: aggregates (code sequences, registers, specifications, change logs, materials, epidemic
#: areas), which are no item, and an aggregate's unnamed first event.
FALLBACK = frozenset(
    {
        "Created",
        "CodeSequence.Opened",
        "CodeSequence.Issued",
        "EpidemicAreas.Opened",
        "EpidemicAreas.AreaDeclared",
        "EpidemicAreas.AreaLifted",
        "QualityRegister.Opened",
        "QualityRegister.DeviationListed",
        "QualityRegister.DeviationUnlisted",
        "QualityRegister.CapaListed",
        "QualityRegister.CapaUnlisted",
        "Specification.Issued",
        "Specification.Revised",
        "ChangeLog.Opened",
        "ChangeLog.MajorChangeRecorded",
        "ChangeLog.ComparabilityAssessed",
        "Material.Defined",
    }
)


def sentence_name(event_type: str) -> str | None:
    """The entry of `SENTENCES` for a stored event type (its qualified name, then its event
    name), or None when it has none."""
    for name in (event_type, event_type.rsplit(".", 1)[-1]):
        if name in SENTENCES:
            return name
    return None


def describe(event_type: str, fields: Mapping[str, Any], scene: Scene) -> Said:
    """What the event says happened: its sentence and values, or its readable name."""
    name = sentence_name(event_type)
    if name is None:
        return Said(FALLBACK_KEY, {"name": readable(event_type)})
    values = {k: v for k, v in fields.items() if k not in HIDDEN}
    derive = SENTENCES[name]
    variant, extra = derive(values, scene) if derive else ("", {})
    return Said(f"event.{name}{variant}", {**values, **extra})


def readable(event_type: str) -> str:
    """An event type's name in words: "Shipment.VialsStored" -> "Shipment: vials stored"."""
    words = [re.sub(r"(?<=[a-z])(?=[A-Z])", " ", part) for part in event_type.split(".")]
    *owner, what = words
    said = what[:1].upper() + what[1:].lower()
    return f"{owner[-1]}: {said.lower()}" if owner else said
