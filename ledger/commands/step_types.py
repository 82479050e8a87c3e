"""The step types this ledger knows (R-PPL-1, R-PPL-2), from the step registry: each step type
and the roles that may record it. Training is recorded only for these, since
`CellTraceLedger.authorise` checks training for no other step type."""

from __future__ import annotations

from ledger.commands.registry import STEPS
from ledger.domain.people import Role


def step_roles() -> dict[str, tuple[Role, ...]]:
    """Every step type the write path checks training for, with the roles that record it."""
    return {key: rule.roles for key, rule in STEPS.items()}
