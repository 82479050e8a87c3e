"""How a newcomer installs CellTrace: `make demo` installs the package alone, `make test` (even
after `make demo`) the test tools too; the license is declared in the SPDX form setuptools
wants, so installing prints no deprecation warning."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _dry_run(directory: Path, target: str) -> list[str]:
    # A fresh make, as a newcomer runs it (not a sub-make of `make test`, which would announce
    # the directory it enters).
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    result = subprocess.run(
        ["make", "--no-print-directory", "--dry-run", target],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.splitlines()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_installs_only_the_package_and_make_test_then_adds_the_test_extras(
    tmp_path: Path,
) -> None:
    # Given the project's Makefile and pyproject.toml, no virtualenv yet
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    # When `make demo` runs, Then it installs the package without the test extras
    demo = _dry_run(tmp_path, "demo")
    installs = [line for line in demo if "pip install" in line and "--upgrade pip" not in line]
    assert installs == [".venv/bin/pip install --quiet -e ."]
    # Given `make demo` has run (its stamps are there)
    (tmp_path / ".venv").mkdir()
    for stamp in (".created", ".installed"):
        (tmp_path / ".venv" / stamp).touch()
    assert not [line for line in _dry_run(tmp_path, "demo") if "pip install" in line]
    # When `make test` runs, Then it still installs the test extras before linting
    test = _dry_run(tmp_path, "test")
    assert test[0] == ".venv/bin/pip install --quiet -e '.[test]'"
    assert any(line.endswith("mypy") for line in test)


def test_license_is_an_spdx_expression_with_a_setuptools_that_reads_it() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["license"] == "Apache-2.0"
    assert "setuptools>=77" in pyproject["build-system"]["requires"]
