"""The only place where a domain error becomes an HTTP response (DESIGN.md "Errors").

Body: {"error": kind, "detail": one sentence, "violations": [{"rule", "message"}]}; a sign-in
that must choose a role also has "roles": [{"role", "label"}] (the label in the request's language).
404 unknown item, 409 rule violation or conflict, 422 impossible input, 401/403 auth,
429 too many wrong passwords (R-ACC-4).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledger.api.language import of_request
from ledger.errors import (
    Conflict,
    IntegrityFailure,
    InvalidInput,
    LedgerError,
    NotAuthorised,
    NotFound,
    NotReady,
    RuleViolation,
    SignatureRefused,
    Throttled,
    Unreachable,
)
from ledger.messages import Sentence, term


class AuthError(LedgerError):
    """Not signed in, wrong password, expired token or locked account (401)."""

    kind = "unauthorized"


class RoleChoiceError(AuthError):
    """The password was right but no role, or a role the person does not hold, was named
    (401). The answer also lists the person's roles, so that a station can offer them."""

    def __init__(self, detail: Sentence, roles: Sequence[str]) -> None:
        super().__init__(detail)
        self.roles = tuple(roles)


class ForbiddenError(LedgerError):
    """Signed in, but this person or role may not do this (403)."""

    kind = "forbidden"


_STATUS: tuple[tuple[type[LedgerError], int], ...] = (
    (NotFound, 404),
    (NotAuthorised, 403),
    (RuleViolation, 409),
    (Conflict, 409),
    (InvalidInput, 422),
    (AuthError, 401),
    (SignatureRefused, 401),
    (ForbiddenError, 403),
    (Throttled, 429),
    (NotReady, 503),
    (Unreachable, 503),
    (IntegrityFailure, 500),
)


def error_body(kind: str, detail: str, violations: list[dict[str, str]] | None = None) -> Any:
    return {"error": kind, "detail": detail, "violations": violations or []}


def _status_of(exc: LedgerError) -> int:
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return 400


async def _ledger_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LedgerError)
    # Messages in the language of Accept-Language (zh: Simplified Chinese); English otherwise.
    language = of_request(request)
    detail = exc.render(language)
    violations = (
        [{"rule": v.rule, "message": v.render(language)} for v in exc.violations]
        if isinstance(exc, RuleViolation)
        else []
    )
    rule = getattr(exc, "rule", None)
    if not violations and isinstance(rule, str):
        # the sentence names its rule first ("R-ID-1: ..."); the violation names it once
        message = re.sub(rf"^{re.escape(rule)}\s*[:\uff1a]\s*", "", detail)
        violations = [{"rule": rule, "message": message}]
    headers = (
        {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthError | SignatureRefused) else None
    )
    if isinstance(exc, Throttled):
        headers = {"Retry-After": str(exc.retry_after)}
    if violations:
        request.app.state.metrics.refused([str(v["rule"]) for v in violations])
    body = error_body(exc.kind, detail, violations)
    if isinstance(exc, RoleChoiceError):
        body["roles"] = [{"role": r, "label": term(r, language)} for r in exc.roles]
    return JSONResponse(body, status_code=_status_of(exc), headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for err in exc.errors():
        where = ".".join(str(part) for part in err.get("loc", ()) if part != "body")
        problems.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    detail = Sentence(
        "The request could not be understood: {problems}.", problems="; ".join(problems)
    )
    return JSONResponse(
        error_body("invalid_input", detail.render(of_request(request))), status_code=422
    )


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    kind = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
        exc.status_code, "http_error"
    )
    return JSONResponse(
        error_body(kind, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(LedgerError, _ledger_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
