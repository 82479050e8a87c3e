"""R-ACC-1 over HTTP: every read of the API and the pages needs a signed-in person, what each
role may read is the declaration in ledger/api/access.py, and anonymous callers reach only the
public surface of DESIGN.md. The paths are walked from the app itself, so a new route without
a read category fails here (and the app refuses to start)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from ledger.api.access import ROLE_READS, Read, check_routes, served_routes
from ledger.api.app import create_app
from ledger.config import Settings
from ledger.demo.run import run_demo
from ledger.domain.people import Role
from ledger.projections.items import items_table
from tests.e2e.readers import bearer, register_readers

# DESIGN.md, "Public (anonymous) surface, nothing more", and the station pages' sign-in shells.
ANONYMOUS = {
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/labels/verify"),
    ("GET", "/api/v1/ledger/checkpoint"),
    ("GET", "/api/v1/ledger/keys"),
    ("GET", "/api/v1/ledger/proof/inclusion"),
    ("GET", "/api/v1/ledger/proof/consistency"),
    ("GET", "/api/v1/reports/certificate"),
    ("GET", "/v/{code}"),
    ("GET", "/"),
    ("GET", "/trace"),
    ("GET", "/scan"),
    ("GET", "/bedside"),
    ("GET", "/trace/{code}"),
    ("GET", "/items"),
    # for the machines that run it (docs/operations.md "Health and metrics")
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
}
# Which kind of code each area's {code} names.
PREFIX = {
    "donors": "DON",
    "materials": "MAT",
    "patients": "PAT",
    "studies": "STU",
    "people": "PER",
    "lots": "LOT",
    "items": "PVL",
    "trace": "PVL",
    "v": "PVL",
}
QUERY = {
    "/api/v1/ledger/proof/inclusion": {"index": 0, "size": 1},
    "/api/v1/ledger/proof/consistency": {"old": 1, "new": 1},
}


@dataclass
class Served:
    client: TestClient
    readers: dict[str, str]
    codes: dict[str, str]

    @property
    def app(self) -> FastAPI:
        app = self.client.app
        assert isinstance(app, FastAPI)
        return app


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("api-access")
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    run_demo(settings, lambda _: None)
    readers = register_readers(settings)
    with TestClient(create_app(settings)) as client:
        ctx = client.app.state.ctx  # type: ignore[attr-defined]
        with ctx.views_engine.connect() as conn:
            rows = conn.execute(select(items_table.c.code, items_table.c.item_type)).all()
        codes: dict[str, str] = {}
        for code, _ in rows:
            codes.setdefault(code[:3], code)
        yield Served(client, readers, codes)


def _reads(app: FastAPI) -> list[tuple[str, str]]:
    """Every GET of the OpenAPI document, then the pages (not in the document)."""
    api = [("GET", path) for path, ops in app.openapi()["paths"].items() if "get" in ops]
    pages = [
        ("GET", r.path)
        for r in served_routes(app)
        if not r.route.include_in_schema and "GET" in r.methods
    ]
    return api + pages


def _url(served: Served, path: str) -> str:
    area = path.removeprefix("/api/v1").split("/")[1]

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "code":
            return served.codes[PREFIX.get(area, "PVL")]
        return {"log_index": "0", "fmt": "png"}.get(name, "1")

    return re.sub(r"\{(\w+)\}", value, path)


def _get(served: Served, path: str, headers: dict[str, str] | None = None) -> Any:
    return served.client.get(_url(served, path), params=QUERY.get(path), headers=headers)


def _category(app: FastAPI, method: str, path: str) -> Read:
    for route in served_routes(app):
        if route.path == path and method in route.methods:
            category = route.category
            assert category is not None, f"{method} {path} declares no read category"
            return category
    raise AssertionError(f"no route {method} {path}")


def test_r_acc_1_anonymous_reads_only_the_public_surface(served: Served) -> None:
    reads = _reads(served.app)
    assert len(reads) >= 18
    for method, path in reads:
        # When anyone without a token reads it
        answer = _get(served, path)
        # Then only the public surface answers; everything else asks for sign-in
        if (method, path) in ANONYMOUS:
            assert answer.status_code in (200, 404), (path, answer.text)
        else:
            assert answer.status_code == 401, (path, answer.status_code, answer.text[:200])
            assert answer.json()["error"] == "unauthorized"
            assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_r_acc_1_anonymous_writes_need_a_person(served: Served) -> None:
    for path, ops in served.app.openapi()["paths"].items():
        if "post" not in ops or ("POST", path) in ANONYMOUS:
            continue
        answer = served.client.post(_url(served, path), json={})
        assert answer.status_code == 401, (path, answer.status_code, answer.text[:200])


def test_r_acc_1_public_surface_is_exactly_the_declared_one(served: Served) -> None:
    declared = {
        (method, route.path)
        for route in served_routes(served.app)
        if route.category is Read.PUBLIC
        for method in route.methods
    }
    assert declared == ANONYMOUS


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_r_acc_1_each_role_reads_what_the_declaration_allows(served: Served, role: str) -> None:
    headers = bearer(served.client, served.readers[role])
    for method, path in _reads(served.app):
        category = _category(served.app, method, path)
        answer = _get(served, path, headers)
        if category is Read.PUBLIC or category in ROLE_READS[Role(role)]:
            assert answer.status_code not in (401, 403), (role, path, answer.text[:200])
        else:
            # Then 403 names what the role may not read and who may
            assert answer.status_code == 403, (role, path, answer.status_code)
            body = answer.json()
            assert body["error"] == "forbidden"
            assert "may not read" in body["detail"], body


def test_r_acc_1_a_route_without_a_read_category_is_refused() -> None:
    # Given an app with a read that names no category
    app = FastAPI()

    @app.get("/api/v1/secrets")
    def secrets() -> dict[str, str]:
        return {}

    # Then the app is refused before it serves anything
    with pytest.raises(RuntimeError, match="/api/v1/secrets declares no read category"):
        check_routes(app)


def test_r_acc_1_raw_entries_are_for_auditors_only(served: Served) -> None:
    # When each role other than the auditor asks for a raw stored event
    for role in Role:
        if role is Role.AUDITOR:
            continue
        headers = bearer(served.client, served.readers[role.value])
        # Then it is refused
        assert served.client.get("/api/v1/ledger/entries/0", headers=headers).status_code == 403
    # And the auditor gets the exact stored state
    auditor = served.client.get(
        "/api/v1/ledger/entries/0", headers=bearer(served.client, served.readers["auditor"])
    )
    assert auditor.status_code == 200
    assert auditor.json()["record"]["state"]


def test_r_acc_1_landing_page_shows_no_more_than_the_label(served: Served) -> None:
    # Given an administered product vial, whose item card names where it is (a patient)
    vial = served.codes["PVL"]
    # When anyone opens its label link
    page = served.client.get(f"/v/{vial}")
    # Then the page shows the code and type only; no status, holds, location or patient
    assert page.status_code == 200
    assert vial in page.text and "product vial" in page.text
    assert "PAT-" not in page.text and "item-status" not in page.text
    assert "<script>" not in page.text


def test_routers_skipped_by_path_keep_every_route_405_and_redirect(served: Served) -> None:
    """ledger/api/routing.py skips a router only when none of its routes' paths can match:
    every documented path still reaches its route (the tests above), another method on it
    is still 405 (not 404), and the path with a trailing slash still redirects to it."""
    paths = served.app.openapi()["paths"]
    assert len(paths) >= 100
    for path, ops in paths.items():
        url = _url(served, path)
        # When a method no route has is asked for
        answer = served.client.request("DELETE", url)
        # Then the path is known: 405 with (the first matching route's) methods it has
        assert answer.status_code == 405, (path, answer.status_code)
        allowed = {m.strip() for m in answer.headers["allow"].split(",")}
        assert allowed & {op.upper() for op in ops}, (path, allowed)
        # And with a trailing slash it redirects to the path
        slashed = served.client.get(url + "/", follow_redirects=False)
        assert slashed.status_code == 307, (path, slashed.status_code)
        assert slashed.headers["location"].endswith(url), (path, slashed.headers["location"])
