"""Fixtures of the Domain II unit tests: a plant ledger (see `tests.domain2`) built once per test
module on SQLite and copied for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.domain2 import Plant, Planted, build_plant, plant_ledger


@pytest.fixture(scope="module")
def plant_template(tmp_path_factory: pytest.TempPathFactory) -> Plant:
    return build_plant(tmp_path_factory.mktemp("plant"))


@pytest.fixture
def planted(plant_template: Plant, tmp_path: Path) -> Iterator[Planted]:
    with plant_ledger(plant_template, tmp_path) as pair:
        yield pair
