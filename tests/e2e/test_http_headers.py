"""HTTP hardening: every page and API answer carries the security headers, with a
Content-Security-Policy that allows no inline script; pages hold no inline script; CORS is
closed unless CELLTRACE_CORS_ORIGINS lists an origin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.config import Settings
from ledger.demo.run import run_demo
from ledger.errors import InvalidInput
from ledger.identifiers import ItemType
from tests.codes import demo_code
from tests.e2e.readers import as_role

VIAL = demo_code(ItemType.BANK_VIAL, 15)
TEMPLATES = Path(__file__).resolve().parents[2] / "ledger" / "api" / "templates"
OTHER_SITE = "https://evil.example"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("headers")
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    run_demo(settings, lambda _: None)
    return settings


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _hardened(headers: object) -> None:
    csp = headers["content-security-policy"]  # type: ignore[index]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"  # type: ignore[index]
    assert headers["referrer-policy"] == "no-referrer"  # type: ignore[index]


@pytest.mark.parametrize(
    "path", ["/scan", "/bedside", f"/trace/{VIAL}", f"/v/{VIAL}", "/v/not-a-code"]
)
def test_pages_carry_the_security_headers(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code in (200, 422)
    _hardened(answer.headers)


@pytest.mark.parametrize(
    ("path", "signed_in"),
    [
        ("/api/v1/ledger/keys", False),
        (f"/api/v1/items/{VIAL}", False),  # the 401 too
        (f"/api/v1/items/{VIAL}", True),
        ("/api/v1/nowhere", False),  # the 404 too
    ],
)
def test_api_answers_carry_the_security_headers(
    client: TestClient, path: str, signed_in: bool
) -> None:
    answer = client.get(path, headers=as_role(client, "qa") if signed_in else None)
    _hardened(answer.headers)
    assert answer.headers["cache-control"] == "no-store"


def test_templates_hold_no_inline_script_or_handler() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        # Only data blocks (type="application/json") and scripts loaded from /static
        for tag in re.findall(r"<script[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+=", text), template.name
        assert "style=" not in text, template.name


def test_cors_is_closed_by_default(client: TestClient) -> None:
    preflight = client.options(
        "/api/v1/items/" + VIAL,
        headers={"Origin": OTHER_SITE, "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    answer = client.get("/api/v1/ledger/keys", headers={"Origin": OTHER_SITE})
    assert "access-control-allow-origin" not in answer.headers


def test_cors_allows_only_the_configured_origins(settings: Settings) -> None:
    allowed = "https://lims.example"
    app = create_app(replace(settings, cors_origins=(allowed,)))
    with TestClient(app) as client:
        ok = client.get("/api/v1/ledger/keys", headers={"Origin": allowed})
        assert ok.headers["access-control-allow-origin"] == allowed
        other = client.get("/api/v1/ledger/keys", headers={"Origin": OTHER_SITE})
        assert "access-control-allow-origin" not in other.headers


def test_cors_origins_setting_refuses_a_wildcard() -> None:
    env = {"CELLTRACE_CORS_ORIGINS": "https://lims.example, *"}
    with pytest.raises(InvalidInput, match="no wildcard"):
        Settings.from_env(env)
    parsed = Settings.from_env({"CELLTRACE_CORS_ORIGINS": "https://a.example/, https://b.example"})
    assert parsed.cors_origins == ("https://a.example", "https://b.example")
