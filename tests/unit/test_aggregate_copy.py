"""R-LED-3: the copy of a cached aggregate a command gets (`ledger.domain.copying`) equals
`copy.deepcopy`'s and shares nothing that can change."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ledger.domain.base import Cosign, Meaning, stamped
from ledger.domain.copying import deep_copy
from ledger.domain.people import Person
from tests.domain1 import STAMP, TODAY, settled


@dataclass(frozen=True)
class Value:
    name: str
    items: list[str] = field(default_factory=list)


def _mutable_parts(value: Any, seen: dict[int, Any]) -> dict[int, Any]:
    """Every dict, list and set reachable from `value`, by id."""
    if isinstance(value, dict | list | set) and id(value) not in seen:
        seen[id(value)] = value
        parts = value.items() if isinstance(value, dict) else ((v, None) for v in value)
        for key, item in parts:
            _mutable_parts(key, seen)
            _mutable_parts(item, seen)
    elif isinstance(value, tuple):
        for item in value:
            _mutable_parts(item, seen)
    elif hasattr(value, "__dataclass_params__") and value.__dataclass_params__.frozen:
        for item in vars(value).values():  # a frozen value's own attributes cannot change
            _mutable_parts(item, seen)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        _mutable_parts(vars(value), seen)
    return seen


def test_r_led_3_an_aggregate_s_copy_equals_deepcopy_and_shares_nothing_mutable() -> None:
    # Given a person with roles, training and a held status (tuples of dicts, frozen values)
    with stamped(STAMP):
        person = settled(Person("PER-F01-26-000009-X", ["operator", "qc_analyst"]))
        for step in ("banks.thaw", "banks.test"):
            person.record_training(
                step, TODAY, TODAY + timedelta(days=9), "SOP", known_steps=(step,)
            )
        settled(person)
    # When it is copied
    duplicate = copy.deepcopy(person)
    # Then the copy has the same state as the standard library's deep copy
    assert type(duplicate) is Person
    assert vars(duplicate) == copy.deepcopy(vars(person))
    assert duplicate is not person
    # And no dict, list or set of the original is reachable from the copy
    original = _mutable_parts(person, {})
    assert not set(_mutable_parts(duplicate, {})) & set(original)


def test_r_led_3_the_copy_keeps_what_is_shared_shared_and_copies_frozen_values_holding_lists() -> (
    None
):
    # Given state with one list reached twice, a frozen value holding a list, and immutables
    shared = ["a"]
    holder = Value("v", ["x"])
    state = {"one": shared, "two": shared, "held": (holder, {"k": 1}), "m": Meaning.APPROVED}
    # When it is copied
    duplicate = deep_copy(state, {})
    # Then it equals the original, the list reached twice is one list in the copy
    assert duplicate == state
    assert duplicate["one"] is duplicate["two"] and duplicate["one"] is not shared
    # And the frozen value holding a list was copied, the tuple's dict too; the enum shared
    assert duplicate["held"][0] is not holder and duplicate["held"][0].items is not holder.items
    assert duplicate["held"][1] is not state["held"][1]
    assert duplicate["m"] is Meaning.APPROVED
    # And a tuple of a frozen value of immutables, a date and a string is shared, not rebuilt
    frozen = (Cosign("PER-F01-26-000009-X", "qa", Meaning.WITNESSED), TODAY, "s")
    assert deep_copy(frozen, {}) is frozen
    assert deep_copy(Value("p"), {}) is not Value("p")  # its (empty) list can change
