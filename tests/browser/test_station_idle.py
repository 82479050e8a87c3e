"""R-ACC-3 in a real browser: a station page left idle shows its countdown and signs out by
itself, revoking the token; the idle time is CELLTRACE_STATION_IDLE_SECONDS (a few seconds
here, 10 minutes by default)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ledger.config import Settings
from tests.browser.conftest import STAFF, STAFF_PASSWORD, serve

IDLE_SECONDS = 4


@pytest.fixture(scope="module")
def idle_server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("idle") / "data"
    shutil.copytree(demo_settings.data_dir, data)
    copy = Settings(data_dir=data, database_url=f"sqlite:///{Path(data) / 'ledger.db'}")
    yield from serve(copy, CELLTRACE_STATION_IDLE_SECONDS=str(IDLE_SECONDS))


@pytest.mark.parametrize("path", ["/scan", "/bedside"])
def test_r_acc_3_an_idle_station_signs_out_by_itself(
    browser: Any, idle_server: str, path: str
) -> None:
    page = browser.new_context().new_page()
    page.goto(f"{idle_server}{path}")
    # Given a signed-in operator station (or bedside tablet)
    role = "operator" if path == "/scan" else "nurse"
    page.fill("#signin-form input[name=username]", STAFF[role])
    page.fill("#signin-form input[name=password]", STAFF_PASSWORD)
    page.click("#signin-form button")
    page.wait_for_selector("#station", state="visible")
    token = page.evaluate("Object.values(sessionStorage).find(v => v.length > 40)")
    # Then a countdown shows the time left
    assert page.inner_text("#idle-countdown").startswith("0:0")
    # When nobody touches it, it signs out by itself and says why
    page.wait_for_selector("#signin", state="visible", timeout=(IDLE_SECONDS + 10) * 1000)
    page.wait_for_selector("#idle-note", state="visible")
    assert page.locator("#station").is_hidden()
    # And its token no longer works on the server
    page.wait_for_function(
        "t => fetch('/api/v1/materials/epidemic-areas', "
        "{headers: {Authorization: 'Bearer ' + t}}).then(r => r.status === 401)",
        arg=token,
        timeout=10_000,
    )
    assert (
        httpx.get(
            f"{idle_server}/api/v1/materials/epidemic-areas",
            headers={"Authorization": f"Bearer {token}"},
        ).status_code
        == 401
    )
