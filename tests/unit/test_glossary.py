"""One Chinese term per glossary word (R-ACC-1 pages, the guideline's terms): every Chinese text
of the pages and of the rule messages whose English says a glossary word says it with the
glossary's term, never a synonym (静脉注射, not 静脉输注 on another screen)."""

from __future__ import annotations

import re

import pytest

from ledger.api.pages.i18n import MESSAGES
from ledger.messages_zh import GLOSSARY, TEMPLATES

#: Glossary words whose Chinese must be the same on every page and in every message.
WORDS = (
    "thaw",
    "cohort",
    "intravenous",
    "intranasal",
    "intra_arterial",
    "intracavitary",
    "intratumoral",
    "donor",
    "excursion",
    "storage unit",
)
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _pairs() -> list[tuple[str, str, str]]:
    """(where, English, Chinese) for every page text and every rule message."""
    pages = [(f"page text {k}", v["en"], v["zh"]) for k, v in MESSAGES.items()]
    rules = [("rule message", en, zh) for en, zh in TEMPLATES.items()]
    return pages + rules


def _says(english: str, word: str) -> bool:
    text = _PLACEHOLDER.sub(" ", english).lower().replace("-", "_")
    return re.search(rf"\b{re.escape(word.lower().replace('-', '_'))}", text) is not None


@pytest.mark.parametrize("word", WORDS)
def test_every_chinese_text_uses_the_glossary_term_for(word: str) -> None:
    term = GLOSSARY[word]
    other = [
        f"{where}: {english!r} -> {chinese!r}"
        for where, english, chinese in _pairs()
        if _says(english, word) and term not in chinese
    ]
    assert not other, f"say {word!r} as {term!r}:\n" + "\n".join(other)


def test_the_bedside_route_labels_are_the_glossary_terms() -> None:
    for key, text in MESSAGES.items():
        if key.startswith("route."):
            assert text["zh"] == GLOSSARY[key.removeprefix("route.")], key
