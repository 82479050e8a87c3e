"""What a signed report says, apart from how it is drawn (docs/reports.md): sections of facts,
tables and paragraphs, and the signed steps it cites, each with the signature's manifestation
(21 CFR 11.50: the signer's printed name, the date and time in UTC and the meaning) and the
event's place in the Merkle log (its log index), under which the appendix lists its hash.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Step:
    """One recorded event a report cites: a step and its signature."""

    notification_id: int
    log_index: int | None
    event_hash: str
    item: str
    version: int
    event_type: str
    what: str
    signer: str  # printed name and person code, "Chen Jing (PER-F01-26-000004-7)"
    role: str
    meaning: str
    at: str  # the server's time, UTC: "2026-03-01 09:30:00 UTC"
    device_time: str = ""  # the device's own time with its offset, when it sent one
    password_signed: bool = False  # a signed decision: the signer re-entered their password
    cosigner: str = ""  # the second signer of a two-person step: "name (code), role, meaning"
    actor: str = ""  # the signer's person code

    @property
    def cited(self) -> str:
        """How the report refers to the step: its log index."""
        return f"#{self.log_index}" if self.log_index is not None else "-"

    def signature(self) -> str:
        """The manifestation of the signature: who, in which role, and how it was signed."""
        how = ", signed with password" if self.password_signed else ""
        second = f"; second signature: {self.cosigner}" if self.cosigner else ""
        return f"{self.signer}, {self.role}{how}{second}"


@dataclass(frozen=True)
class Facts:
    """Labelled values, one per line."""

    pairs: list[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    """Rows under column headings; `widths` are relative column widths."""

    columns: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None


@dataclass(frozen=True)
class Text:
    text: str


Block = Facts | Table | Text


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    """A report: its kind (`batch-record`, `coa`, `qp-release`, `patient`), title, the code it
    is about, what it says and the steps it cites."""

    kind: str
    title: str
    code: str
    sections: list[Section] = field(default_factory=list)
    steps: dict[int, Step] = field(default_factory=dict)  # by notification id

    def cite(self, steps: Iterable[Step]) -> list[Step]:
        """Cite `steps` (each once in the appendix); returns them."""
        listed = list(steps)
        for step in listed:
            self.steps.setdefault(step.notification_id, step)
        return listed

    def section(self, title: str, *blocks: Block) -> Section:
        added = Section(title, list(blocks))
        self.sections.append(added)
        return added

    def cited_in_log_order(self) -> list[Step]:
        return sorted(self.steps.values(), key=lambda s: (s.log_index or 0, s.notification_id))


STEP_COLUMNS = [
    "log #",
    "time (UTC)",
    "item",
    "step",
    "signed by (printed name, code, role)",
    "meaning",
]
STEP_WIDTHS = [9.0, 19.0, 26.0, 55.0, 42.0, 14.0]


def steps_table(steps: Iterable[Step], *, item: bool = True) -> Table:
    """The steps with their signatures' manifestations, in the order recorded."""
    ordered = sorted(steps, key=lambda s: s.notification_id)
    rows = [
        [s.cited, s.at.removesuffix(" UTC"), s.item, s.what, s.signature(), s.meaning]
        for s in ordered
    ]
    if item:
        return Table(STEP_COLUMNS, rows, STEP_WIDTHS)
    keep = [0, 1, 3, 4, 5]
    return Table(
        [STEP_COLUMNS[i] for i in keep],
        [[r[i] for i in keep] for r in rows],
        [STEP_WIDTHS[i] for i in keep],
    )


def signed_by(step: Step | None) -> str:
    """ "name (code), role, meaning, time [log #]" of one step, for a line of facts."""
    if step is None:
        return "not recorded"
    return f"{step.signature()}; {step.meaning}; {step.at} [{step.cited}]"
