"""One translation catalogue (the pages issue): every Chinese text of the pages, the refusal
messages, the glossary and the labels is in `ledger/locale/zh/LC_MESSAGES/celltrace.po`, fully
translated, and no source file carries Chinese text of its own."""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.pofile import read_po

from ledger.catalogue import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
#: Chinese that is not text to translate: list separators of the formatter, a demo record.
NOT_TEXT = {Path("ledger/messages.py"), Path("ledger/demo/records.py")}


def _cjk(text: str) -> bool:
    """Chinese characters (full-width punctuation is the formatter's, not text)."""
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def test_the_catalogue_is_complete_and_says_each_thing_once() -> None:
    with CATALOGUE.open("rb") as file:
        catalog = read_po(file)
    entries = [m for m in catalog if m.id]
    assert len(entries) > 1000
    assert all(m.string and not m.fuzzy for m in entries), [
        (m.context, m.id) for m in entries if not m.string or m.fuzzy
    ]
    keys = [(m.context, m.id) for m in entries]
    assert len(keys) == len(set(keys))
    assert {str(m.context).partition(":")[0] for m in entries} == {"page", "rule", "term", "label"}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.add(id(value))
    return found


def test_no_source_file_carries_chinese_text_of_its_own() -> None:
    found = []
    for package in ("ledger", "label_printing"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.relative_to(ROOT) in NOT_TEXT:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docs = _docstrings(tree)
            found += [
                f"{path.relative_to(ROOT)}:{node.lineno}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docs
                and _cjk(node.value)
            ]
        for pattern in ("*.html", "*.js"):
            for path in sorted((ROOT / package).rglob(pattern)):
                lines = path.read_text(encoding="utf-8").splitlines()
                found += [
                    f"{path.relative_to(ROOT)}:{n}" for n, line in enumerate(lines, 1) if _cjk(line)
                ]
    assert not found, f"Chinese text outside the catalogue: {found}"
