"""FastAPI dependencies: the request context, the signed-in actor with their device's time
(R-LED-2), and read-your-writes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ledger.api.context import ApiContext
from ledger.api.errors import AuthError
from ledger.application import Actor
from ledger.errors import InvalidInput
from ledger.messages import Sentence

_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/auth/token")


def context_of(request: Request) -> ApiContext:
    ctx = request.app.state.ctx
    assert isinstance(ctx, ApiContext)
    return ctx


async def get_context(request: Request) -> ApiContext:
    """The dependency: `async` as it never waits, so it runs on the event loop instead of in
    a worker thread (a `def` dependency costs a thread-pool hop per request)."""
    return context_of(request)


Context = Annotated[ApiContext, Depends(get_context)]
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


DeviceTime = Annotated[
    str | None,
    Header(
        alias="Device-Time",
        description="The client device's clock when the step was done, ISO 8601 with its UTC "
        "offset (e.g. 2026-03-01T09:30:00+08:00); stored beside the server's time (R-LED-2).",
    ),
]


def device_time(value: str | None) -> datetime | None:
    """The Device-Time header as an aware datetime, or a 422 naming the header (R-LED-2)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.utcoffset() is None:
        raise InvalidInput(
            Sentence(
                "R-LED-2: the Device-Time header {value!r} is not a time with its UTC offset; "
                "send ISO 8601 such as 2026-03-01T09:30:00+08:00",
                value=value[:40],
            )
        )
    return parsed


def current_actor(ctx: Context, credentials: Bearer, device: DeviceTime = None) -> Actor:
    if credentials is None:
        raise AuthError(
            Sentence("Sign in first: send the token from POST /api/v1/auth/token as Bearer.")
        )
    idle = timedelta(seconds=ctx.settings.station_idle_seconds)
    session = ctx.credentials.session(credentials.credentials, ctx.clock(), idle)
    if session is None:
        raise AuthError(Sentence("The sign-in token is unknown or has expired; sign in again."))
    return Actor(session.person_code, session.role).at(device_time(device))


CurrentActor = Annotated[Actor, Depends(current_actor)]


async def wait_after(
    ctx: Context,
    after: Annotated[
        int | None,
        Query(ge=0, description="Wait until the read models include this notification id."),
    ] = None,
) -> None:
    """Read-your-writes: only a request that names `after` waits, in a worker thread."""
    if after:
        await run_in_threadpool(ctx.wait_for, after)


ReadYourWrites = Depends(wait_after)
