"""The step registry in the OpenAPI description: each operation that records a step names it
(`openapi_extra=records(key)`), and the app describes it from the registry (roles, training,
signature and meaning, second signer, what it applies to), so the API's documentation is the
table QA approves and cannot drift from what the application enforces."""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from ledger.commands.registry import STEPS, StepRule

STEP = "x-celltrace-step"


def records(step_key: str) -> dict[str, Any]:
    """`openapi_extra` of an operation that records registry step `step_key`."""
    if step_key not in STEPS:
        raise KeyError(f"{step_key} is not a step of the registry")
    return {STEP: step_key}


def step_of(route: APIRoute) -> StepRule | None:
    """The registry step an operation records, if it records one."""
    key = (route.openapi_extra or {}).get(STEP)
    return STEPS[key] if key else None


def describe(rule: StepRule) -> str:
    """A step's registry entry, as a paragraph of an operation's description."""
    row = rule.row()
    signature = (
        f"a signed decision: the signer re-enters their password in `signature` (meaning "
        f"{row['meaning']})"
        if rule.signed
        else f"signed by the session (meaning {row['meaning']})"
    )
    parts = [
        f"**Step `{rule.key}`** of the step registry: recorded by {row['roles']}, trained for "
        f"`{rule.training}`; {signature}.",
    ]
    if rule.second:
        parts.append(f"Second person: {rule.second}.")
    if rule.on:
        parts.append(f"Applies to: {row['applies to']}.")
    return " ".join(parts)


def describe_steps(router: APIRouter) -> None:
    """Add each step operation's registry entry to its OpenAPI description."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            rule = step_of(route)
            if rule is not None:
                own = inspect.cleandoc(route.endpoint.__doc__ or "")  # as often as the app is built
                route.description = f"{own}\n\n{describe(rule)}".strip()
