"""The user-facing words of the pages, in English and Simplified Chinese.

The language comes from `?lang=`, then the `lang` cookie, then the browser's Accept-Language.
Every page string is looked up here, so a missing translation is a test failure, not a
silently English word on a Chinese page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi import Request

from ledger.catalogue import Loaded, page_texts
from ledger.messages import preferred_language

LANGUAGES = ("en", "zh")

#: Every page text by key, {"en": ..., "zh": ...}: the `page:` part of the one catalogue
#: (`ledger/locale/zh/LC_MESSAGES/celltrace.po`, read by `ledger.catalogue`).
MESSAGES: Mapping[str, dict[str, str]] = Loaded(page_texts)


def language(request: Request) -> str:
    """The page language: ?lang=, then the cookie, then Accept-Language, else English."""
    asked = request.query_params.get("lang") or request.cookies.get("lang")
    if asked in LANGUAGES:
        return asked
    return preferred_language(request.headers.get("accept-language"))


def translator(lang: str) -> Callable[[str], str]:
    def t(key: str) -> str:
        entry = MESSAGES.get(key)
        if entry is None:
            raise KeyError(f"no page text {key!r}")
        return entry[lang]

    return t
