"""CellTraceLedger: the one write path. Commands load aggregates, pass cross-aggregate facts in,
let the aggregates check the GMP rules, and save every touched aggregate in one transaction."""

from __future__ import annotations

from ledger.commands.banks import BankCommands
from ledger.commands.bedside import BedsideCommands
from ledger.commands.clinical import ClinicalCommands
from ledger.commands.corrections import CorrectionCommands
from ledger.commands.donors import DonorCommands
from ledger.commands.materials import MaterialCommands
from ledger.commands.people import PeopleCommands
from ledger.commands.pharmacy import PharmacyCommands
from ledger.commands.production import ProductionCommands
from ledger.commands.quality import QualityCommands
from ledger.commands.safety import SafetyCommands
from ledger.commands.shipments import ShipmentCommands
from ledger.core import SYSTEM, Actor, Clock, LedgerCore, Receipt, utc_now


class CellTraceLedger(
    ClinicalCommands,
    BedsideCommands,
    DonorCommands,
    MaterialCommands,
    BankCommands,
    ProductionCommands,
    QualityCommands,
    ShipmentCommands,
    PharmacyCommands,
    SafetyCommands,
    CorrectionCommands,
    PeopleCommands,
    LedgerCore,
):
    """The ledger application: every command of every area."""

    name = "CellTrace"


__all__ = ["SYSTEM", "Actor", "CellTraceLedger", "Clock", "Receipt", "utc_now"]
