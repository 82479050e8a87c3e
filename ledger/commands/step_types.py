"""The step types this ledger knows (R-PPL-1, R-PPL-2): every area's `STEPS` (each step type
and the roles that may record it) and administering people. Training is recorded only for
these, since `CellTraceLedger.authorise` checks training for no other step type."""

from __future__ import annotations

from ledger.domain.people import Role


def step_roles() -> dict[str, tuple[Role, ...]]:
    """Every step type the write path checks training for, with the roles that record it."""
    # Imported here: the area modules import the application core, which composes them.
    from ledger.commands import (
        banks,
        bedside,
        clinical,
        corrections,
        donors,
        materials,
        pharmacy,
        production,
        quality,
        safety,
        shipments,
    )
    from ledger.commands.people import ADMINISTER

    return {
        ADMINISTER: (Role.ADMINISTRATOR,),
        **materials.STEPS,
        **donors.STEPS,
        **banks.STEPS,
        **production.STEPS,
        **quality.STEPS,
        **corrections.STEPS,
        **clinical.STEPS,
        **shipments.STEPS,
        **pharmacy.STEPS,
        **bedside.STEPS,
        **safety.STEPS,
    }
