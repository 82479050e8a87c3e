"""FastAPI dependencies: the request context, the signed-in actor and e-signatures (R-LED-5)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ledger.api.context import ApiContext
from ledger.api.errors import AuthError, TooManyAttempts
from ledger.application import Actor
from ledger.credentials import CredentialError, ThrottledError
from ledger.messages import Sentence

_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/auth/token")


def get_context(request: Request) -> ApiContext:
    ctx = request.app.state.ctx
    assert isinstance(ctx, ApiContext)
    return ctx


Context = Annotated[ApiContext, Depends(get_context)]
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def current_actor(ctx: Context, credentials: Bearer) -> Actor:
    if credentials is None:
        raise AuthError(
            Sentence("Sign in first: send the token from POST /api/v1/auth/token as Bearer.")
        )
    idle = timedelta(seconds=ctx.settings.station_idle_seconds)
    session = ctx.credentials.session(credentials.credentials, ctx.clock(), idle)
    if session is None:
        raise AuthError(Sentence("The sign-in token is unknown or has expired; sign in again."))
    return Actor(session.person_code, session.role)


CurrentActor = Annotated[Actor, Depends(current_actor)]


def confirm_signature(ctx: ApiContext, actor: Actor, password: str) -> None:
    """Re-authenticate the signer of a release-type decision (R-LED-5); nothing is written
    when the password is wrong."""
    now = ctx.clock()
    try:
        ctx.credentials.check_password(actor.person_id, password, now)
    except ThrottledError as exc:
        raise TooManyAttempts(
            Sentence("R-LED-5: electronic signature refused: {problem}.", problem=exc.sentence),
            int((exc.until - now).total_seconds()),
        ) from None
    except CredentialError as exc:
        raise AuthError(
            Sentence("R-LED-5: electronic signature refused: {problem}.", problem=exc.sentence)
        ) from None


def wait_after(
    ctx: Context,
    after: Annotated[
        int | None,
        Query(ge=0, description="Wait until the read models include this notification id."),
    ] = None,
) -> None:
    ctx.wait_for(after)


ReadYourWrites = Depends(wait_after)
