"""Browser tests: a real `celltrace serve` process and Debian's Chromium driven by Playwright.

Chromium comes from the Debian package (`/usr/bin/chromium`, installed by .ci/run); nothing is
downloaded. Without it these tests skip locally and fail under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ledger.config import Settings
from ledger.demo.run import run_demo
from ledger.identifiers import ItemType
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import Credentials
from tests.codes import demo_code
from tests.processes import Server, celltrace_env

STAFF_PASSWORD = "browser test password"
# The demo's staff (registered first, in this order).
STAFF = {
    role: demo_code(ItemType.PERSON, serial)
    for role, serial in (("operator", 2), ("qa", 4), ("pharmacist", 6), ("nurse", 7))
}
CHROMIUM = os.environ.get("CELLTRACE_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but Chromium is not installed at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("browser-ledger")
    settings = Settings(
        data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}", base_url="http://x"
    )
    run_demo(settings, lambda _: None)
    credentials = Credentials(create_db_engine(settings))
    credentials.create_tables()
    for code in STAFF.values():
        credentials.set_password(code, STAFF_PASSWORD)
    credentials.engine.dispose()
    return settings


@pytest.fixture(scope="session")
def material_lots(demo_settings: Settings) -> dict[str, str]:
    """The demo's material lot codes by material reference (e.g. MEM-ALPHA)."""
    from ledger.bootstrap import open_ledger
    from ledger.integrity.verify import LedgerReader

    app = open_ledger(demo_settings)
    lots: dict[str, str] = {}
    try:
        for record in LedgerReader(demo_settings.database).records():
            if record.topic.endswith("MaterialLot.Received"):
                code = json.loads(record.state)["code"]
                lots.setdefault(app.get_material_lot(code).material, code)
    finally:
        app.close()
    return lots


@pytest.fixture(scope="session")
def server(demo_settings: Settings) -> Iterator[str]:
    yield from serve(demo_settings)


def serve(settings: Settings, **extra_env: str) -> Iterator[str]:
    """Run `celltrace serve` on `settings` until the generator is closed."""
    served = Server(celltrace_env(settings, **extra_env), settings.data_dir / "serve.log")
    try:
        served.wait_ready()
        yield served.base
    finally:
        served.stop()


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _closed_pages(request: pytest.FixtureRequest) -> Iterator[None]:
    """Close every page a test opened: a signed-in station page keeps its idle countdown
    running, and pages left open would keep Chromium busy for the rest of the run."""
    yield
    if "browser" in request.fixturenames:
        for context in list(request.getfixturevalue("browser").contexts):
            context.close()


def bearer(server: str, role: str) -> dict[str, str]:
    """Headers of a staff member signed in over HTTP, for the tests' own reads."""
    answer = httpx.post(
        f"{server}/api/v1/auth/token",
        data={"username": STAFF[role], "password": STAFF_PASSWORD},
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def screenshot(page: object, name: str) -> None:
    """Save a screenshot: into docs/screenshots with CELLTRACE_SCREENSHOTS=1 (to refresh the
    README's pictures), otherwise into a temporary folder so a test run leaves the tree clean."""
    folder = SCREENSHOTS if os.environ.get("CELLTRACE_SCREENSHOTS") == "1" else _scratch()
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def _scratch() -> Path:
    import tempfile

    return Path(tempfile.gettempdir()) / "celltrace-screenshots"
