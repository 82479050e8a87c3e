"""CellTraceLedger: the one write path. Commands load aggregates, pass cross-aggregate facts in,
let the aggregates check the GMP rules, and save every touched aggregate in one transaction.

Two writers that record a step on the same item at the same moment load the same version; the
second save is refused by the store and writes nothing (`Conflict`). That says nothing about
the rules, so every command is run again against the fresh state, a few times, and refused
only when the rules refuse it or the item stays that busy.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from ledger.commands.accountability import AccountabilityCommands
from ledger.commands.banks import BankCommands
from ledger.commands.bedside import BedsideCommands
from ledger.commands.clinical import ClinicalCommands
from ledger.commands.corrections import CorrectionCommands
from ledger.commands.deviations import DeviationCommands
from ledger.commands.donors import DistributionCommands, DonorCommands
from ledger.commands.materials import MaterialCommands
from ledger.commands.people import PeopleCommands
from ledger.commands.pharmacy import PharmacyCommands
from ledger.commands.production import ProductionCommands
from ledger.commands.quality import QualityCommands
from ledger.commands.safety import SafetyCommands
from ledger.commands.shipments import ShipmentCommands
from ledger.commands.storage import StorageCommands
from ledger.config import LEDGER_NAME
from ledger.core import SYSTEM, Actor, Clock, LedgerCore, Receipt, utc_now
from ledger.errors import Conflict

#: How many times a command runs when other writers keep saving the same item first.
ATTEMPTS = 8
C = TypeVar("C", bound=type)


def _again_on_conflict(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def run(self: LedgerCore, *args: Any, **kwargs: Any) -> Any:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self.attempt(fresh=attempt > 1):
                    return method(self, *args, **kwargs)
            except Conflict:
                if attempt == ATTEMPTS:
                    raise
                # A random pause, growing with each attempt, so writers that collided do not
                # collide again in step (2 ms, 4 ms, ... up to about 0.25 s).
                time.sleep(random.uniform(0, 0.001 * 2**attempt))
        raise AssertionError("unreachable")

    return run


def retried(cls: C) -> C:
    """Run every public method the command areas define again when its save meets a version
    conflict (a method that saves nothing never meets one)."""
    for area in cls.__mro__:
        if not area.__module__.startswith("ledger.commands."):
            continue
        for name, value in vars(area).items():
            if callable(value) and not name.startswith("_") and name not in vars(cls):
                setattr(cls, name, _again_on_conflict(value))
    return cls


@retried
class CellTraceLedger(
    ClinicalCommands,
    BedsideCommands,
    DonorCommands,
    DistributionCommands,
    MaterialCommands,
    BankCommands,
    ProductionCommands,
    QualityCommands,
    ShipmentCommands,
    StorageCommands,
    PharmacyCommands,
    SafetyCommands,
    CorrectionCommands,
    DeviationCommands,
    AccountabilityCommands,
    PeopleCommands,
    LedgerCore,
):
    """The ledger application: every command of every area."""

    name = LEDGER_NAME


__all__ = ["SYSTEM", "Actor", "CellTraceLedger", "Clock", "Receipt", "utc_now"]
