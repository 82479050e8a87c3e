"""An event said in words (R-TRC-3): the sentence of the page catalogue for a stored event
(`ledger.projections.narrative`), its values filled in with the glossary's words, lists of
codes and times in the zone of the row; shared by the trace page's timeline
(`ledger.api.pages.timeline`) and the signed reports (`ledger.reports`).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from ledger.catalogue import Loaded, page_texts
from ledger.messages import term, translated_template
from ledger.projections.narrative import FALLBACK_KEY, Said, describe, readable
from ledger.projections.narrative_values import Scene

#: Every page text by key, {"en": ..., "zh": ...} (`ledger.catalogue`).
MESSAGES: Mapping[str, dict[str, str]] = Loaded(page_texts)
#: A list longer than this shows its first codes and how many more there are.
LIST_SHOWN = 6
_SEPARATOR = {"en": ", ", "zh": "、"}


def say_event(
    event_type: str, fields: Mapping[str, Any], scene: Scene, lang: str, zone: tzinfo = UTC
) -> str:
    """What an event says happened, in `lang`; times in `zone`. An event stored before one of
    the fields its sentence shows existed is named instead."""
    try:
        return say(describe(event_type, fields, scene), lang, zone)
    except (KeyError, IndexError, TypeError, AttributeError):
        return say(Said(FALLBACK_KEY, {"name": readable(event_type)}), lang, zone)


def say(said: Said, lang: str, zone: tzinfo = UTC) -> str:
    """A sentence of the page catalogue in `lang`, its values filled in."""
    return _Words(lang, zone).vformat(MESSAGES[said.key][lang], (), dict(said.params))


def local_time(moment: datetime, *, seconds: bool = False) -> str:
    """`2026-03-01 09:30 UTC+08:00` in the moment's own offset; `... UTC` at offset zero."""
    offset = moment.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset not in ("", "+0000") else "UTC"
    return f"{moment.strftime('%Y-%m-%d %H:%M:%S' if seconds else '%Y-%m-%d %H:%M')} {zone}"


class _Words(string.Formatter):
    """`str.format` with the glossary (`{route:term}`, `{roles:terms}`), lists of codes
    (`{vials:list}`, shortened when long) and times in the row's zone."""

    def __init__(self, lang: str, zone: tzinfo) -> None:
        super().__init__()
        self.lang, self.zone = lang, zone

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "term":
            return self._term(value)
        if format_spec in ("terms", "list") or isinstance(value, list | tuple):
            return self._joined([self._term(v) if format_spec == "terms" else v for v in value])
        if value is None:
            return "-"
        if isinstance(value, Mapping) and set(value) == {"template", "params"}:
            # a reason recorded as a sentence (a hold's), in the reader's language if known
            recorded = str(value["template"])
            template = translated_template(recorded, self.lang) or recorded
            return self.vformat(template, (), dict(value["params"]))
        if isinstance(value, datetime):
            return local_time(value.astimezone(self.zone))
        if isinstance(value, date):
            return value.isoformat()
        return str(format(value, format_spec))

    def _term(self, word: Any) -> str:
        said = term(str(word), self.lang)
        # a value the glossary does not know reads as words: "intra_arterial", "intra arterial"
        return said.replace("_", " ") if said == str(word) else said

    def _joined(self, values: list[Any]) -> str:
        shown = [str(v) for v in values[:LIST_SHOWN]]
        if len(values) > LIST_SHOWN:
            shown.append(f"… (+{len(values) - LIST_SHOWN})")
        return _SEPARATOR[self.lang].join(shown)
