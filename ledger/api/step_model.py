"""The shape of a next step offered for a scanned item: who may record it, on which item types
and statuses, the API call that records it and its short form (R-PPL-2: the domain still checks
role, training and every GMP rule when the step is posted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ledger.commands.registry import step as registry_step

# "item": filled with the scanned item's own code; "lot": a material lot scanned in; "file":
# the text of a chosen file (a logger's CSV); "list": codes scanned one per line, sent as a
# list; "reasons": lines of "CODE reason", sent as an object {code: reason}.
FieldKind = Literal[
    "text",
    "number",
    "date",
    "checkbox",
    "select",
    "password",
    "lot",
    "item",
    "file",
    "list",
    "reasons",
    "meaning",
]


@dataclass(frozen=True)
class StepField:
    name: str
    kind: FieldKind = "text"
    options: tuple[str, ...] = ()
    default: Any = None
    required: bool = True


@dataclass(frozen=True)
class Step:
    """A form for step `step` of the registry (`ledger/commands/registry.py`), which says who
    may record it and whether it is signed; here only how the station asks for it."""

    key: str
    item_types: tuple[str, ...]
    step: str  # the registry key
    path: str  # with {code}
    fields: tuple[StepField, ...] = ()
    not_when: tuple[str, ...] = ("on hold", "disposed", "ineligible", "rejected", "recalled")
    only_when: tuple[str, ...] = ()
    meaning: str = ""  # when this form's command signs with another of the step's meanings

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(role.value for role in registry_step(self.step).roles)

    @property
    def signed(self) -> bool:
        """R-LED-5: the form asks for the signer's password."""
        return registry_step(self.step).signed

    @property
    def signature_meaning(self) -> str:
        """The meaning the signer is shown and signs with (R-LED-5, 21 CFR 11.50)."""
        return self.meaning or registry_step(self.step).meaning.value

    def applies(self, item_type: str, status: str) -> bool:
        if item_type not in self.item_types or status in self.not_when:
            return False
        return not self.only_when or status in self.only_when

    def describe(self, code: str) -> dict[str, Any]:
        fields = list(self.fields)
        if self.signed:
            fields.append(StepField("signature.password", "password"))
            # shown beside the password and sent: the application refuses another (422)
            fields.append(StepField("signature.meaning", "meaning", default=self.signature_meaning))
        return {
            "key": self.key,
            "method": "POST",
            "path": "/api/v1" + self.path.format(code=code),
            "roles": list(self.roles),
            "signed": self.signed,
            "fields": [
                {
                    "name": f.name,
                    "kind": f.kind,
                    "options": list(f.options),
                    "default": f.default,
                    "required": f.required,
                }
                for f in fields
            ],
        }
