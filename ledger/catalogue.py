"""The one translation catalogue (the pages issue): `ledger/locale/zh/LC_MESSAGES/celltrace.po`,
a gettext catalogue read with Babel, holds the Simplified Chinese of every page text (context
`page:KEY`, the English as msgid), every refusal message (context `rule`, the English
template), the glossary of terms (context `term`) and the fixed label wording (context
`label`), in the terms of the Chinese guideline.
Translators and reviewers work on that one file with any gettext tool.

The catalogue is read on first use, once per process; the mappings below are views of it for
the page translator (`ledger.api.pages.i18n`), the rule messages (`ledger.messages`) and the
glossary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import TypeVar

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parent / "locale" / "zh" / "LC_MESSAGES" / "celltrace.po"
PAGE, RULE, TERM, LABEL = "page:", "rule", "term", "label"
V = TypeVar("V")


@cache
def _entries() -> tuple[tuple[str, str, str], ...]:
    """(context, English, Chinese) of every entry, in the catalogue's order."""
    with CATALOGUE.open("rb") as file:
        catalog = read_po(file, locale="zh_Hans_CN")
    return tuple(
        (str(m.context or ""), str(m.id), str(m.string))
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str)
    )


@cache
def page_texts() -> dict[str, dict[str, str]]:
    """Page texts by key: {"en": ..., "zh": ...}."""
    return {
        c.removeprefix(PAGE): {"en": en, "zh": zh} for c, en, zh in _entries() if c.startswith(PAGE)
    }


@cache
def rule_templates() -> dict[str, str]:
    """Chinese templates of the refusal messages, by their English template."""
    return {en: zh for c, en, zh in _entries() if c == RULE}


@cache
def glossary() -> dict[str, str]:
    """Chinese terms by English word (or `context:word`)."""
    return {en: zh for c, en, zh in _entries() if c == TERM}


@cache
def label_phrases() -> dict[str, str]:
    """Chinese of the fixed label wording, by its English."""
    return {en: zh for c, en, zh in _entries() if c == LABEL}


class Loaded(Mapping[str, V]):
    """A read-only view of one part of the catalogue, read on first use."""

    def __init__(self, load: Callable[[], Mapping[str, V]]) -> None:
        self._load = load

    def __getitem__(self, key: str) -> V:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())
