"""The trace page's timeline (R-TRC-3, R-TRC-2, R-LED-2): an item's events merged with its
chain of custody (`ledger.projections.custody`), each said in the reader's language
(`ledger.projections.narrative`, sentences in `ledger.api.pages.i18n`), with who signed it in
which role and meaning, and when: the device's own time with its UTC offset when the step
sent one, else the server's time in UTC, shown as such. Each event's hash is the stored
event's, the one `celltrace verify` checks; the page converts no time in the browser.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from ledger.api.context import ApiContext
from ledger.api.pages.i18n import translator
from ledger.application import CellTraceLedger
from ledger.identifiers import item_id
from ledger.messages import term
from ledger.projections.custody import concerns
from ledger.projections.history import custody_history
from ledger.projections.narrative_text import local_time, say_event
from ledger.projections.narrative_values import Scene


@dataclass(frozen=True)
class TimelineRow:
    """One event as the timeline shows it."""

    item: str  # the item it was recorded on
    own: bool  # recorded on the item whose timeline this is
    event_type: str
    what: str  # what happened, in words
    when: str  # the device's time with its offset, else the server's time in UTC
    server_time: str  # the server's time, UTC
    actor: str
    role: str
    meaning: str
    cosigned: str  # the second signer of a two-person step, or ""
    reauthenticated: bool  # a signed decision: the signer re-entered their password
    event_hash: str
    log_index: int | None
    client_time: str | None
    clock_skew_s: int | None
    clock_flagged: bool


def timeline(ctx: ApiContext, code: str, lang: str) -> list[TimelineRow]:
    """The events of `code` and of its chain of custody that concern it, in notification
    order, said in `lang`."""
    rows = custody_history(ctx.views_engine, ctx.settings.database.backend, code)
    events = _events(ctx.ledger, {row["item_code"] for row in rows})
    origins = _origins(ctx.ledger, events)
    shown = []
    for row in rows:
        event = events.get((row["item_code"], row["version"]))
        fields = vars(event) if event is not None else {}
        if concerns(row["event_type"], fields, row["item_code"], code):
            scene = Scene(subject=code, item=row["item_code"], origins=origins)
            shown.append(_row(row, event, scene, lang))
    names = {a: ctx.ledger.person_name(a) for a in {r.actor for r in shown} if a.startswith("PER-")}
    return [replace(r, actor=_named(r.actor, names.get(r.actor))) for r in shown]


def _named(code: str, name: str | None) -> str:
    """Who recorded a step: their printed name and code (21 CFR 11.50), or the code alone."""
    return f"{name} ({code})" if name else code


def _events(ledger: CellTraceLedger, codes: Iterable[str]) -> dict[tuple[str, int], Any]:
    """The decoded events of the items `codes`, by (code, version)."""
    return {
        (code, event.originator_version): event
        for code in codes
        for event in ledger.events.get(item_id(code))
    }


def _origins(ledger: CellTraceLedger, events: Mapping[tuple[str, int], Any]) -> dict[str, Any]:
    """The fields of each item's first event, by code; a patient's study's too (its protocol
    says how many administrations a subject has)."""
    origins = {code: vars(event) for (code, version), event in events.items() if version == 1}
    studies = {o.get("study") for o in origins.values()} - set(origins)
    for study in sorted(s for s in studies if isinstance(s, str)):
        first = next(iter(ledger.events.get(item_id(study), lte=1)), None)
        if first is not None:
            origins[study] = vars(first)
    return origins


def _row(row: Mapping[str, Any], event: Any, scene: Scene, lang: str) -> TimelineRow:
    t = translator(lang)
    device = datetime.fromisoformat(row["client_time"]) if row["client_time"] else None
    server = datetime.fromisoformat(str(row["recorded_at"])).astimezone(UTC)
    fields = vars(event) if event is not None else {}
    zone = (device or server).tzinfo or UTC  # the times a sentence names, in the row's zone
    stamp = fields.get("stamp")
    cosign = getattr(stamp, "cosign", None)
    return TimelineRow(
        item=scene.item,
        own=scene.item == scene.subject,
        event_type=row["event_type"],
        what=say_event(row["event_type"], fields, scene, lang, zone),
        when=local_time(device or server, seconds=True),
        server_time=local_time(server, seconds=True),
        actor=row["actor_id"],
        role=term(row["actor_role"], lang),
        meaning=t("meaning." + row["meaning"]),
        cosigned=_cosign(cosign, lang) if cosign is not None else "",
        reauthenticated=bool(getattr(stamp, "reauthenticated", False)),
        event_hash=row["event_hash"],
        log_index=row["log_index"],
        client_time=row["client_time"],
        clock_skew_s=row["clock_skew_s"],
        clock_flagged=row["clock_flagged"],
    )


def _cosign(cosign: Any, lang: str) -> str:
    """The second signer of a two-person step: person, role and meaning (R-PPL-4)."""
    meaning = translator(lang)("meaning." + cosign.meaning.value)
    role = term(cosign.role, lang)
    return translator(lang)("trace.cosign").format(person=cosign.person, role=role, meaning=meaning)
