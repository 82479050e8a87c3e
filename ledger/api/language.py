"""The language of each API request, from its Accept-Language header: "zh" (any Chinese tag)
gives Simplified Chinese refusals, anything else English, the default (ledger.messages)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from ledger.messages import REQUEST_LANGUAGE, preferred_language


def of_request(request: Request) -> str:
    """The language the request asks for ("en" or "zh")."""
    return preferred_language(request.headers.get("accept-language"))


def current() -> str:
    """The language of the request being served, for code that has no `Request` at hand."""
    return REQUEST_LANGUAGE.get()


class LanguageMiddleware:
    """Sets the request's language for everything that runs while serving it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accept = Headers(scope=scope).get("accept-language")
        token = REQUEST_LANGUAGE.set(preferred_language(accept))
        try:
            await self.app(scope, receive, send)
        finally:
            REQUEST_LANGUAGE.reset(token)


def install(app: FastAPI) -> None:
    app.add_middleware(LanguageMiddleware)
