"""A clinic behind the HTTP API for the clinical end-to-end tests: the Domain III template
(trained clinical staff, two sites, an active study, a certified lot filled into vials, see
tests/domain3.py) with passwords, copied for each test and served by `create_app` with a clock
the test can move; every role signed in."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ledger.api.app import create_app
from ledger.application import CellTraceLedger
from ledger.config import Settings
from ledger.integrity.verify import LedgerReader
from ledger.storage.db import create_db_engine
from ledger.stores.credentials import Credentials
from tests.domain3 import Clinic, Clock, build_clinic

PASSWORD = "clinic test password"


@dataclass
class ClinicApi:
    """The served clinic: post and get as a role, read the ledger's last notification id."""

    client: TestClient
    clinic: Clinic
    clock: Clock
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def ledger(self) -> CellTraceLedger:
        ledger = self.client.app.state.ctx.ledger  # type: ignore[attr-defined]
        assert isinstance(ledger, CellTraceLedger)
        return ledger

    def code(self, role: str) -> str:
        return self.clinic.staff[role].person_id

    def sign_in(self, code: str | None = None, password: str = PASSWORD) -> None:
        """Sign every staff role in (again, e.g. after moving the clock past the tokens' 8 h)."""
        for role, actor in self.clinic.staff.items():
            if code in (None, actor.person_id):
                answer = self.client.post(
                    "/api/v1/auth/token", data={"username": actor.person_id, "password": password}
                )
                assert answer.status_code == 200, answer.text
                self.tokens[role] = answer.json()["access_token"]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def post(self, role: str, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.client.post(f"/api/v1{path}", json=body, headers=self.headers(role))

    def posted(self, role: str, path: str, body: dict[str, Any], status: int = 200) -> Any:
        """The JSON answer of a post that must answer `status`."""
        answer = self.post(role, path, body)
        assert answer.status_code == status, answer.text
        return answer.json()

    def get(self, role: str, path: str, **params: Any) -> httpx.Response:
        return self.client.get(f"/api/v1{path}", params=params, headers=self.headers(role))

    def last_id(self) -> int:
        """The ledger's last notification id, read from the stored events."""
        settings: Settings = self.client.app.state.ctx.settings  # type: ignore[attr-defined]
        return LedgerReader(settings.database).last_notification_id()

    def today(self) -> str:
        return str(self.clock().date())


def signed(password: str = PASSWORD, meaning: str | None = None) -> dict[str, Any]:
    """An electronic signature (R-LED-5), with the meaning shown to the signer when given."""
    signature: dict[str, Any] = {"password": password}
    if meaning is not None:
        signature["meaning"] = meaning
    return {"signature": signature}


@pytest.fixture(scope="session")
def api_clinic_template(tmp_path_factory: pytest.TempPathFactory) -> Clinic:
    clinic = build_clinic(tmp_path_factory.mktemp("api-clinic"))
    credentials = Credentials(create_db_engine(clinic.plant.settings))
    credentials.create_tables()
    for role, actor in clinic.staff.items():
        credentials.set_password(actor.person_id, PASSWORD)
        clinic.staff[role] = actor.signed(PASSWORD)
    credentials.engine.dispose()
    return clinic


@pytest.fixture
def clinic_api(api_clinic_template: Clinic, tmp_path: Path) -> Iterator[ClinicApi]:
    data = tmp_path / "data"
    shutil.copytree(api_clinic_template.plant.settings.data_dir, data)
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    clock = Clock()
    with TestClient(create_app(settings, clock=clock)) as client:
        api = ClinicApi(client, api_clinic_template, clock)
        api.sign_in()
        yield api


def signed_by_both(api: ClinicApi, dose: dict[str, Any]) -> dict[str, Any]:
    """An administration body signed by the nurse and the verifying pharmacist (R-LED-5)."""
    return {
        **dose,
        "pharmacist": api.code("pharmacist"),
        "signature": {"password": PASSWORD, "meaning": "performed"},
        "pharmacist_signature": {"password": PASSWORD, "meaning": "reviewed"},
    }
