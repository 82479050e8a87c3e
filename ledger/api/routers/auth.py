"""POST /auth/token and /auth/logout: sign in for a bearer token in one of the person's roles,
and sign out (R-ACC-3, R-ACC-4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Form, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from label_printing.badge import is_scan, verify_badge
from label_printing.signing import label_verifier
from ledger.api.access import Read, reads
from ledger.api.deps import Bearer, Context, current_actor
from ledger.api.errors import AuthError, RoleChoiceError
from ledger.api.language import of_request
from ledger.api.routing import Routes
from ledger.api.schemas import ERRORS
from ledger.errors import InvalidInput, Throttled
from ledger.identifiers import parse_code
from ledger.messages import Sentence, term
from ledger.stores.credentials import CredentialError, ThrottledError

router = Routes(prefix="/auth", tags=["auth"], responses=ERRORS)


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    person_code: str
    role: str
    role_label: str = Field(description="The role as people call it, in the request's language")
    expires_at: str


def source_address(request: Request) -> str:
    """The connection's client address (set `--forwarded-allow-ips` behind a proxy)."""
    return request.client.host if request.client else "unknown"


@router.post("/token", response_model=Token, summary="Sign in", dependencies=[reads(Read.PUBLIC)])
def issue_token(
    ctx: Context,
    request: Request,
    username: Annotated[
        str,
        Form(
            min_length=1,
            max_length=400,
            description="Person code, e.g. PER-F01-26-000002-B, or the text of a scanned staff "
            "badge (its signed QR link, checked with the label key)",
        ),
    ],
    password: Annotated[str, Form(min_length=1, max_length=200)],
    role: Annotated[
        str | None,
        Form(min_length=1, max_length=40, description="Role to act in; needed if several"),
    ] = None,
    station: Annotated[
        bool,
        Form(
            description="Signing in at a shared station (the scan and bedside pages): the token "
            "lapses once left unused for CELLTRACE_STATION_IDLE_SECONDS (R-ACC-3)"
        ),
    ] = False,
) -> Token:
    """Exchange a person code and password (form fields, OAuth2 password style) for a bearer
    token valid for 8 hours, or at a station until left idle. An unknown person and a wrong
    password get the same answer. A person holding several roles who names none (or one they
    do not hold) gets a 401 whose `roles` lists their roles to choose from.
    Five wrong passwords for one person code from one address, or twenty from one address,
    block that address for 15 minutes (429); sign-ins from other addresses still work.
    A scanned badge that is not a signed staff badge of this CellTrace is refused (422 R-ID-2)
    before any password is checked."""
    if is_scan(username):
        code = str(verify_badge(username, [label_verifier(ctx.settings)]))
    else:
        try:
            code = str(parse_code(username))
        except InvalidInput:
            code = username.strip()
    now = ctx.clock()
    try:
        ctx.credentials.sign_in(code, password, source_address(request), now)
    except ThrottledError as exc:
        raise Throttled(
            Sentence("Sign-in refused: {problem}.", problem=exc.sentence),
            int((exc.until - now).total_seconds()),
        ) from None
    except CredentialError as exc:
        raise AuthError(Sentence("Sign-in refused: {problem}.", problem=exc.sentence)) from None
    person = ctx.ledger.get_person(code)
    roles = sorted(person.roles)
    chosen = role or (roles[0] if len(roles) == 1 else None)
    if chosen is None or chosen not in person.roles:
        # Only now, the password being right, may the answer list the person's roles.
        raise RoleChoiceError(
            Sentence(
                "Choose the role to act in: {person} holds {roles:terms}.",
                person=person.code,
                roles=roles or ["no role"],
            ),
            roles,
        )
    idle = timedelta(seconds=ctx.settings.station_idle_seconds) if station else None
    token, session = ctx.credentials.open_session(person.code, chosen, now, idle)
    return Token(
        access_token=token,
        person_code=person.code,
        role=chosen,
        role_label=term(chosen, of_request(request)),
        expires_at=session.expires_at.isoformat(),
    )


@router.post(
    "/logout",
    status_code=204,
    summary="Sign out",
    dependencies=[Depends(current_actor)],
)
def logout(ctx: Context, credentials: Bearer) -> Response:
    """End this session: the token stops working at once (R-ACC-3)."""
    assert isinstance(credentials, HTTPAuthorizationCredentials)  # checked by current_actor
    ctx.credentials.close_session(credentials.credentials)
    return Response(status_code=204)
