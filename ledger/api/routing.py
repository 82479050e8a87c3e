"""The API's routers: `Routes`, an `APIRouter` that answers "no match" at once for a path
none of its routes can match.

Starlette tries an app's routes in order, and FastAPI tries every route of an included router
(with its own bookkeeping per route) before the next router: a request for the items router
was tried against the ~120 routes of the 15 routers before it. A route matches a request
(fully, or partly when only the method differs) only if its path pattern matches the request's
path, so a router none of whose path patterns matches the path matches nothing: the same
answer, from one regular expression for the whole router. The order of the routes, and so
which route answers (or which 405), is unchanged.
"""

from __future__ import annotations

import re

from fastapi import APIRouter
from starlette._utils import get_route_path
from starlette.routing import Match, Route, compile_path
from starlette.types import Scope

_GROUP = re.compile(r"\(\?P<\w+>")


class Routes(APIRouter):
    """An `APIRouter` that skips its routes for a path none of them can match, once
    `serve_under(prefix)` has told it where it is included."""

    _paths: re.Pattern[str] | None = None

    def serve_under(self, prefix: str) -> None:
        """The router is included under `prefix` (`app.include_router(router, prefix=...)`):
        one pattern for the full paths of all its routes."""
        patterns = []
        for route in self.routes:
            if not isinstance(route, Route):  # a mount or a host: no shortcut
                self._paths = None
                return
            pattern = compile_path(prefix + route.path)[0].pattern
            patterns.append(_GROUP.sub("(?:", pattern))  # one name may not repeat
        self._paths = re.compile("|".join(f"(?:{p})" for p in patterns))

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        paths = self._paths
        if paths is not None and paths.match(get_route_path(scope)) is None:
            return Match.NONE, {}
        return super().matches(scope)
