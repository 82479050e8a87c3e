"""Translatable sentences: an English template with named parameters, rendered in English or
Simplified Chinese (catalogue in `ledger.messages_zh`), so that every refusal of an R- rule
reaches the operator in the language of their page.

A template is an ordinary `str.format` template whose placeholders name the parameters
(`"{vial} was already shipped"`, `"{dose:g} {unit}"`). Besides the usual format specs a
placeholder may say how a parameter is a word rather than a code or a number:

- `{status:term}`    one word or phrase (a status, a role, a route), looked up in the glossary
                     (`{category:term-change}` looks up "change:site" before "site");
- `{tests:terms}`    a sequence of such words, joined with ", " (Chinese "、");
- `{roles:terms_or}` a sequence of such words, joined with " or " (Chinese "或");
- `{codes:list}`     a sequence of codes or numbers, joined with ", " (Chinese "、").

A parameter may itself be a `Sentence`; it is rendered in the same language. The English
rendering is exactly what the template says, so English messages never depend on the catalogue.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"

#: The language of the request being served (set by the API for each request).
REQUEST_LANGUAGE: ContextVar[str] = ContextVar("request_language", default=DEFAULT_LANGUAGE)

_SEPARATORS = {
    "en": {"list": ", ", "terms": ", ", "terms_or": " or "},
    "zh": {"list": "、", "terms": "、", "terms_or": "或"},
}
WORD_SPECS = ("term", "terms", "terms_or", "list")


class Sentence:
    """One translatable sentence: an English template and the values of its placeholders."""

    __slots__ = ("params", "template")

    def __init__(self, template: str, /, **params: object) -> None:
        self.template = template
        self.params: Mapping[str, object] = MappingProxyType(dict(params))

    @classmethod
    def restored(cls, template: str, params: Mapping[str, object]) -> Sentence:
        """A sentence recorded earlier (its template and values, e.g. a hold's reason)."""
        return cls(template, **params)

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        """The sentence in `language` ("en" or "zh"); English when no translation is known."""
        template = translated_template(self.template, language)
        if template is None:
            language, template = DEFAULT_LANGUAGE, self.template
        return _Formatter(language).vformat(template, (), dict(self.params))

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Sentence({self.template!r}, **{dict(self.params)!r})"


def translated_template(template: str, language: str) -> str | None:
    """The template in `language`, or None when the catalogue has no such entry."""
    if language == DEFAULT_LANGUAGE:
        return template
    if language == "zh":
        from ledger.messages_zh import TEMPLATES

        return TEMPLATES.get(template)
    return None


def term(word: str, language: str, context: str = "") -> str:
    """A word of the glossary (a status, role, route...) in `language`, else as given; a
    `context` ("change" for `{category:term-change}`) picks "change:site" over "site"."""
    if language == "zh":
        from ledger.messages_zh import GLOSSARY

        return GLOSSARY.get(f"{context}:{word}") or GLOSSARY.get(word, word)
    return word


def status_term(status: str, item_type: str, language: str) -> str:
    """An item's status in `language`: "active" is a study's 正在进行 but any other item's 在用."""
    return term(status, language, "" if item_type == "STU" else "status")


def preferred_language(accept_language: str | None) -> str:
    """The supported language an Accept-Language header prefers: "zh" for any Chinese tag
    (zh, zh-CN, zh-Hans...), otherwise English; quality values are honoured."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > best_q:
            best, best_q = primary, quality
    return best


class _Formatter(string.Formatter):
    """`str.format` plus the word specs of this module and nested sentences."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Sentence):
            return value.render(self.language)
        if format_spec == "term" or format_spec.startswith("term-"):
            return term(str(value), self.language, format_spec.partition("-")[2])
        if format_spec in _SEPARATORS["en"]:
            words = format_spec != "list"
            items = [self.format_field(v, "term" if words else "") for v in _items(value)]
            return _SEPARATORS[self.language][format_spec].join(items)
        return str(format(value, format_spec))


def _items(value: object) -> Iterable[object]:
    if isinstance(value, str | Sentence) or not isinstance(value, Iterable):
        return [value]
    return value
