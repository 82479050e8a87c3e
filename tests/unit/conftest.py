"""Fixtures of the unit tests that need a ledger: a staffed SQLite ledger (Domain I), a plant
ledger (see `tests.domain2`) and a clinic ledger (see `tests.domain3`), each built once per test
module and copied for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.config import Settings
from tests.domain1 import Staffed, staffed_ledger
from tests.domain2 import Plant, Planted, build_plant, plant_ledger
from tests.domain3 import Clinic, Clinical, build_clinic, clinic_ledger


@pytest.fixture(scope="module")
def plant_template(tmp_path_factory: pytest.TempPathFactory) -> Plant:
    return build_plant(tmp_path_factory.mktemp("plant"))


@pytest.fixture
def planted(plant_template: Plant, tmp_path: Path) -> Iterator[Planted]:
    with plant_ledger(plant_template, tmp_path) as pair:
        yield pair


@pytest.fixture
def staffed(sqlite_settings: Settings) -> Iterator[Staffed]:
    """A ledger on a real SQLite file with the trained staff of the demo."""
    with staffed_ledger(sqlite_settings) as pair:
        yield pair


@pytest.fixture(scope="module")
def clinic_template(tmp_path_factory: pytest.TempPathFactory) -> Clinic:
    return build_clinic(tmp_path_factory.mktemp("clinic"))


@pytest.fixture
def clinic(clinic_template: Clinic, tmp_path: Path) -> Iterator[Clinical]:
    """A copy of the module's clinic ledger, with a clock the test can move."""
    with clinic_ledger(clinic_template, tmp_path) as opened:
        yield opened
