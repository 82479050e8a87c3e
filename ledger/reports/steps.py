"""The recorded steps a report cites (R-LED-2, R-TRC-3, 21 CFR 11.50): an item's events from
its timeline (with its chain of custody when asked), or a bookkeeping aggregate's (a
specification, a change log) from the stored events, each said in words
(`ledger.projections.narrative_text`), with who signed it (printed name from the personal-data
vault and person code), in which role, when (the server's time, UTC) and with what meaning,
and its event hash and log index. A blinded study's seals stay shut: the sentences never see
the fields that hold them (`ledger.projections.narrative.HIDDEN`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, text

from ledger.application import CellTraceLedger
from ledger.identifiers import item_id
from ledger.projections.custody import concerns
from ledger.projections.history import custody_history, item_history
from ledger.projections.narrative_text import local_time, say_event
from ledger.projections.narrative_values import Scene
from ledger.reports.document import Step

#: How roles are printed on a report.
ROLE_WORDS = {"qa": "QA", "qp": "QP", "qc_analyst": "QC analyst", "system": "system"}

_STORED = (
    "SELECT e.{nid} AS notification_id, e.originator_version AS version, e.topic, "
    "e.event_hash, l.log_index FROM stored_events e "
    "LEFT JOIN merkle_leaves l ON l.notification_id = e.{nid} "
    "WHERE e.originator_id = {oid} ORDER BY e.{nid}"
)


def role_word(role: str) -> str:
    return ROLE_WORDS.get(role, role.replace("_", " "))


class StepSource:
    """Steps of the ledger `ledger`, read from the read models in `engine`."""

    def __init__(self, ledger: CellTraceLedger, engine: Engine) -> None:
        self.ledger = ledger
        self.engine = engine
        self.backend = ledger.settings.database.backend
        self._names: dict[str, str] = {}
        self._events: dict[str, dict[int, Any]] = {}

    def of_item(self, code: str) -> list[Step]:
        """Every event recorded on the item `code`, in order."""
        rows = item_history(self.engine, self.backend, code)
        return [self._step({**row, "item_code": code}, code) for row in rows]

    def custody_of(self, code: str) -> list[Step]:
        """The item's events and those of the shipments, return and patient that record its
        custody and concern it (`ledger.projections.custody`), in order."""
        shown = []
        for row in custody_history(self.engine, self.backend, code):
            fields = self._fields(row["item_code"], row["version"])
            if concerns(row["event_type"], fields, row["item_code"], code):
                shown.append(self._step(row, code))
        return shown

    def of_aggregate(self, originator_id: UUID, label: str) -> list[Step]:
        """The events of a bookkeeping aggregate (no item code, no timeline): a
        specification's or a change log's, shown under `label`."""
        nid = "rowid" if self.backend == "sqlite" else "notification_id"
        oid = ":oid" if self.backend == "sqlite" else "CAST(:oid AS uuid)"
        with self.engine.connect() as conn:
            stored = originator_id.hex if self.backend == "sqlite" else str(originator_id)
            rows = conn.execute(text(_STORED.format(nid=nid, oid=oid)), {"oid": stored})
            found = list(rows.mappings())
        events = {e.originator_version: e for e in self.ledger.events.get(originator_id)}
        steps = []
        for row in found:
            event = events[row["version"]]
            stamp = vars(event).get("stamp")
            if stamp is None:
                continue
            event_type = str(row["topic"]).rsplit(":", 1)[-1]
            steps.append(
                self._signed(
                    {
                        "notification_id": row["notification_id"],
                        "log_index": row["log_index"],
                        "event_hash": bytes(row["event_hash"]).hex(),
                        "version": row["version"],
                        "event_type": event_type,
                    },
                    label,
                    say_event(event_type, vars(event), Scene(label, label), "en"),
                    stamp,
                )
            )
        return steps

    def name(self, person: str) -> str:
        """A person's printed name and code, "Chen Jing (PER-...)", or the code alone when no
        name was given or it was erased."""
        if person not in self._names:
            found = self.ledger.person_name(person) if person.startswith("PER-") else None
            self._names[person] = f"{found} ({person})" if found else person
        return self._names[person]

    def first_fields(self, code: str) -> Mapping[str, Any]:
        """The fields of the item's first event (what it was made as)."""
        return self._fields(code, 1)

    def fields(self, step: Step) -> Mapping[str, Any]:
        """The fields of the event a step of an item records."""
        return self._fields(step.item, step.version)

    def _step(self, row: Mapping[str, Any], subject: str) -> Step:
        code = str(row["item_code"])
        fields = self._fields(code, row["version"])
        origins = {c: self._fields(c, 1) for c in {code, subject}}
        study = origins[code].get("study")
        if isinstance(study, str) and study.startswith("STU-"):
            origins[study] = self._fields(study, 1)
        what = say_event(row["event_type"], fields, Scene(subject, code, origins), "en", UTC)
        return self._signed({**row}, code, what, fields.get("stamp"))

    def _signed(self, row: Mapping[str, Any], item: str, what: str, stamp: Any) -> Step:
        cosign = getattr(stamp, "cosign", None)
        device = getattr(stamp, "client_time", None)
        recorded = getattr(stamp, "recorded_at", None) or datetime.fromisoformat(
            str(row["recorded_at"])
        )
        actor = getattr(stamp, "actor_id", None) or str(row.get("actor_id", ""))
        role = getattr(stamp, "actor_role", None) or str(row.get("actor_role", ""))
        meaning = getattr(getattr(stamp, "meaning", None), "value", None) or row.get("meaning")
        return Step(
            notification_id=int(row["notification_id"]),
            log_index=None if row["log_index"] is None else int(row["log_index"]),
            event_hash=str(row["event_hash"]),
            item=item,
            version=int(row["version"]),
            event_type=str(row["event_type"]),
            what=what,
            signer=self.name(actor),
            role=role_word(role),
            meaning=str(meaning or ""),
            at=local_time(recorded.astimezone(UTC), seconds=True),
            device_time=local_time(device, seconds=True) if device is not None else "",
            password_signed=bool(getattr(stamp, "reauthenticated", False)),
            cosigner=(
                f"{self.name(cosign.person)}, {role_word(cosign.role)}, {cosign.meaning.value}"
                if cosign is not None
                else ""
            ),
            actor=actor,
        )

    def _fields(self, code: str, version: int) -> Mapping[str, Any]:
        if code not in self._events:
            try:
                events = self.ledger.events.get(item_id(code))
            except ValueError:
                events = iter(())
            self._events[code] = {e.originator_version: e for e in events}
        event = self._events[code].get(version)
        return vars(event) if event is not None else {}


def of_items(source: StepSource, codes: Iterable[str]) -> list[Step]:
    """Every event of each of `codes`, in the order recorded."""
    steps = [s for code in dict.fromkeys(codes) for s in source.of_item(code)]
    return sorted(steps, key=lambda s: s.notification_id)
