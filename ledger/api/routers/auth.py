"""POST /auth/token: a bearer token for a registered person acting in one of their roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from pydantic import BaseModel

from ledger.api.deps import Context
from ledger.api.errors import AuthError
from ledger.api.schemas import ERRORS
from ledger.credentials import CredentialError
from ledger.errors import InvalidInput, NotFound
from ledger.messages import Sentence

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERRORS)


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    person_code: str
    role: str
    expires_at: str


@router.post("/token", response_model=Token, summary="Sign in")
def issue_token(
    ctx: Context,
    username: Annotated[
        str, Form(min_length=1, max_length=200, description="Person code, e.g. PER-F01-26-000002-B")
    ],
    password: Annotated[str, Form(min_length=1, max_length=200)],
    role: Annotated[
        str | None,
        Form(min_length=1, max_length=40, description="Role to act in; needed if several"),
    ] = None,
) -> Token:
    """Exchange a person code and password (form fields, OAuth2 password style) for a
    bearer token valid for 8 hours. Five wrong passwords lock the account for 15 minutes."""
    try:
        person = ctx.ledger.get_person(username)
    except (NotFound, InvalidInput):
        raise AuthError(
            Sentence(
                "{username!r} is not a registered person; check the code.",
                username=username.strip(),
            )
        ) from None
    try:
        ctx.credentials.check_password(person.code, password, ctx.clock())
    except CredentialError as exc:
        raise AuthError(Sentence("Sign-in refused: {problem}.", problem=exc.sentence)) from None
    roles = sorted(person.roles)
    chosen = role or (roles[0] if len(roles) == 1 else None)
    if chosen is None or chosen not in person.roles:
        raise AuthError(
            Sentence(
                "Choose the role to act in: {person} holds {roles:terms}.",
                person=person.code,
                roles=roles or ["no role"],
            )
        )
    token, session = ctx.credentials.open_session(person.code, chosen, ctx.clock())
    return Token(
        access_token=token,
        person_code=person.code,
        role=chosen,
        expires_at=session.expires_at.isoformat(),
    )
