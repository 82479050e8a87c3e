"""The README's examples are true: every `$ celltrace ...` line of its examples is run, in order,
in a folder where `make demo` just ran, and what the README shows under it is what it prints
(codes' year and check character, dates, hashes, keys and signatures masked); the demo excerpt
is checked against the demo's own output. A `...` line in the README stands for lines left out.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ledger.identifiers import ItemType, format_code

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
DEMO_BLOCK = "<!-- output of: celltrace demo -->"


@dataclass(frozen=True)
class Example:
    command: str
    expected: list[str]


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    """(line before the fence, lines) of every fenced block."""
    blocks, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("```"):
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            blocks.append((lines[i - 1] if i else "", lines[i + 1 : end]))
            i = end
        i += 1
    return blocks


def examples(text: str) -> list[Example]:
    found: list[Example] = []
    for _, lines in _blocks(text):
        for line in lines:
            if line.startswith("$ "):
                found.append(Example(line[2:], []))
            elif found and lines and lines[0].startswith("$ "):
                found[-1].expected.append(line)
    return found


_MASKS = [
    (re.compile(r"\b([A-Z]{3}-[A-Z0-9]{2,5})-\d{2}-(\d{6})-[0-9A-Z*_]"), r"\1-YY-\2-C"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "<hash>"),
    (re.compile(r"\+[0-9a-f]{8}\b"), "+<key id>"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}([T ][0-9:.]+Z?)?"), "<date>"),
    (re.compile(r"\blocal:[\w.-]+"), "local:<user>"),
    (re.compile(r"^(\u2014 \S+ )\S+$"), r"\1<signature>"),
    (re.compile(r"^[A-Za-z0-9+/]{43}=$"), "<root>"),
]


def stable(line: str) -> str:
    for pattern, replacement in _MASKS:
        line = pattern.sub(replacement, line)
    return line.rstrip()


# A line of only "..." (maybe indented inside a tree) stands for lines left out.
_ELIDED = re.compile(r"[\s|`-]*(\.\.\.)?\s*")


def assert_shows(expected: list[str], actual: str, what: str) -> None:
    """Every expected line is printed, in order (`...` stands for lines left out)."""
    lines = [stable(line) for line in actual.splitlines()]
    position = 0
    for want in (stable(line) for line in expected if not _ELIDED.fullmatch(line)):
        try:
            position = lines.index(want, position) + 1
        except ValueError:
            raise AssertionError(
                f"{what}: the README shows {want!r}, which is not printed (after line "
                f"{position}):\n" + "\n".join(lines)
            ) from None


@pytest.fixture(scope="module")
def after_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], str]:
    """A folder where `make demo` ran (its default ./celltrace-data), with `celltrace` (and
    `pyhanko`, which checks the signed reports) on PATH."""
    folder = tmp_path_factory.mktemp("readme")
    bin_dir = folder / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "celltrace"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ledger "$@"\n')
    shim.chmod(0o755)
    checker = bin_dir / "pyhanko"  # the PDF signature validator installed with CellTrace
    checker.write_text(f'#!/bin/sh\nexec "{sys.executable}" -W ignore -m pyhanko "$@"\n')
    checker.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELLTRACE_")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)
    env["COLUMNS"] = "100"
    demo = _shell("celltrace demo --fresh", folder, env)
    return folder, env, demo


_CODE = re.compile(r"\b([A-Z]{3})-([A-Z0-9]{2,5})-\d{2}-(\d{6})-[0-9A-Z*_]")


def this_year(command: str) -> str:
    """The README's codes as the demo issues them this year (year digits and check)."""
    year = datetime.now(UTC).year

    def redated(match: re.Match[str]) -> str:
        prefix, facility, serial = match.groups()
        return format_code(ItemType(prefix), facility, year, int(serial))

    return _CODE.sub(redated, command)


def _shell(command: str, cwd: Path, env: dict[str, str], exit_code: int = 0) -> str:
    result = subprocess.run(
        ["bash", "-c", f"{{ {command}\n}} 2>&1"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == exit_code, (
        f"`{command}` exited {result.returncode}:\n{result.stdout}"
    )
    return result.stdout


def test_readme_demo_excerpt_is_what_the_demo_prints(
    after_demo: tuple[Path, dict[str, str], str],
) -> None:
    _, _, demo = after_demo
    excerpt = [lines for before, lines in _blocks(README.read_text()) if before == DEMO_BLOCK]
    assert len(excerpt) == 1, f"the README marks one demo excerpt with {DEMO_BLOCK}"
    assert_shows(excerpt[0], demo, "celltrace demo")


def test_readme_command_examples_print_what_the_readme_shows(
    after_demo: tuple[Path, dict[str, str], str],
) -> None:
    folder, env, _ = after_demo
    found = examples(README.read_text())
    assert len(found) >= 8, "the README's examples were not found"
    for example in found:
        assert example.command.startswith(("celltrace ", "cat ", "pyhanko ")), example.command
        # A refusal the README shows (`refused: ...`) exits 2 and writes nothing.
        refused = bool(example.expected) and example.expected[0].startswith("refused:")
        printed = _shell(this_year(example.command), folder, env, 2 if refused else 0)
        assert_shows(example.expected, printed, example.command)
