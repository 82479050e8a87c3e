"""Every refusal is translatable and translated: a walk over the source of ledger/ and
label_printing/ finds each message template (`Violation(...)`, `Violation.of(...)`,
`Sentence(...)` and helpers that forward a template) and checks it against the Simplified
Chinese catalogue in `ledger.messages_zh`, so a new English-only message fails here; an error
detail that names a rule ID (`InvalidInput("R-...")`) must be a `Sentence` too."""

from __future__ import annotations

import ast
import string
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ledger.messages_zh import GLOSSARY, TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ledger", "label_printing")
# The machinery itself: it forwards templates it is given and is tested directly.
MACHINERY = {Path("ledger/errors.py"), Path("ledger/messages.py")}


@dataclass
class Found:
    templates: dict[str, list[str]] = field(default_factory=dict)  # template -> where
    problems: list[str] = field(default_factory=list)
    terms: dict[str, list[str]] = field(default_factory=dict)  # literal words passed as terms


def placeholders(template: str) -> set[tuple[str, str, str]]:
    """The (name, conversion, spec) of every placeholder of a template."""
    return {
        (name, conversion or "", spec or "")
        for _, name, spec, conversion in string.Formatter().parse(template)
        if name is not None
    }


def _call_name(call: ast.Call) -> str | None:
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
        return f"{f.value.id}.{f.attr}"
    return None


# name of the callable -> position of the template argument
TEMPLATE_CALLS = {"Violation.of": 1, "Sentence": 0}
# helpers that take a word shown as a glossary term: name -> position of that argument
TERM_CALLS = {"enum_problems": 3, "parse_enum": 3, "parse_enums": 3}
# errors whose detail reaches people (ledger.errors, ledger.api.errors): one naming a rule ID
# must be a Sentence, e.g. InvalidInput(Sentence("R-SHP-1: give the time with its UTC offset"))
DETAIL_ERRORS = {
    "LedgerError",
    "NotFound",
    "Conflict",
    "InvalidInput",
    "NotReady",
    "IntegrityFailure",
    "AuthError",
    "ForbiddenError",
}


def _scan_module(path: Path, found: Found) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name

    def where(node: ast.AST) -> str:
        return f"{shown}:{getattr(node, 'lineno', '?')}"

    def enclosing(node: ast.AST) -> ast.FunctionDef | None:
        scope = parents.get(node)
        while scope is not None and not isinstance(scope, ast.FunctionDef):
            scope = parents.get(scope)
        return scope

    def argument(call: ast.Call, position: int) -> ast.expr | None:
        return call.args[position] if len(call.args) > position else None

    # A local helper that passes one of its parameters on as the template forwards it (the
    # bedside decision's `no(rule, template, **params)`): its callers are checked instead.
    forwarders: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) in TEMPLATE_CALLS:
            arg = argument(node, TEMPLATE_CALLS[_call_name(node) or ""])
            scope = enclosing(node)
            if isinstance(arg, ast.Name) and scope is not None:
                names = [a.arg for a in scope.args.args]
                if arg.id in names:
                    forwarders[scope.name] = names.index(arg.id)

    calls = {**TEMPLATE_CALLS, **forwarders}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name == "Violation":
            message = argument(node, 1)
            if not (isinstance(message, ast.Constant) and isinstance(message.value, str)):
                found.problems.append(f"{where(node)}: Violation(...) needs a literal message")
            elif placeholders(message.value):
                found.problems.append(f"{where(node)}: a template needs Violation.of(...)")
            else:
                found.templates.setdefault(message.value, []).append(where(node))
        elif name in DETAIL_ERRORS:
            detail = argument(node, 0)
            text = ""
            if isinstance(detail, ast.Constant) and isinstance(detail.value, str):
                text = detail.value
            elif isinstance(detail, ast.JoinedStr) and detail.values:
                first = detail.values[0]
                text = first.value if isinstance(first, ast.Constant) else "{"
            if text.startswith(("R-", "{RULE}", "{rule}")):
                found.problems.append(f"{where(node)}: a detail naming a rule needs a Sentence")
        elif name in TERM_CALLS:
            arg = argument(node, TERM_CALLS[name])
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.terms.setdefault(arg.value, []).append(where(node))
        elif name in calls:
            arg = argument(node, calls[name])
            scope = enclosing(node)
            if isinstance(arg, ast.Name) and scope is not None and scope.name in forwarders:
                continue  # the forwarder's own call: its callers give the template
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                shown = ast.unparse(arg) if arg is not None else "nothing"
                found.problems.append(f"{where(node)}: {name}(...) needs a literal, not {shown}")
                continue
            found.templates.setdefault(arg.value, []).append(where(node))
            if any(k.arg is None for k in node.keywords):
                found.problems.append(f"{where(node)}: name each parameter of the template")
                continue
            wanted = {p[0] for p in placeholders(arg.value)}
            given = {k.arg for k in node.keywords}
            if wanted != given:
                found.problems.append(
                    f"{where(node)}: placeholders {sorted(wanted)} but parameters {sorted(given)}"
                )


@pytest.fixture(scope="module")
def found() -> Found:
    result = Found()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.relative_to(ROOT) not in MACHINERY:
                _scan_module(path, result)
    return result


def _cjk(text: str) -> bool:
    """Chinese characters, CJK punctuation or full-width forms (a bracket, a semicolon)."""
    return any(
        "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"
        for c in text
    )


def test_every_refusal_message_is_a_literal_template_with_named_parameters(found: Found) -> None:
    # Given every Violation / Sentence built in the code base
    # Then none is an f-string or a computed string, and each names exactly its placeholders
    assert found.problems == []
    assert len(found.templates) > 250  # the walk really found the rule messages


def test_every_template_has_a_chinese_translation(found: Found) -> None:
    # Given the templates in the code / Then each has a Chinese entry in the catalogue
    missing = {t: where for t, where in found.templates.items() if t not in TEMPLATES}
    assert missing == {}


def test_chinese_templates_keep_the_placeholders_of_the_english(found: Found) -> None:
    # Given the catalogue / Then each Chinese template uses exactly the English placeholders
    # (name, conversion and spec), and really is Chinese
    for english, chinese in TEMPLATES.items():
        assert placeholders(chinese) == placeholders(english), english
        assert _cjk(chinese), english


def test_no_catalogue_entry_outlives_its_template(found: Found) -> None:
    # Given the catalogue / Then every entry is still used somewhere in the code
    assert sorted(set(TEMPLATES) - set(found.templates)) == []


def test_words_named_in_enum_refusals_are_in_the_glossary(found: Found) -> None:
    # Given the `what` words passed to enum_problems / parse_enum(s) / Then each is translated
    assert found.terms, "the walk found the enum refusals"
    assert sorted(set(found.terms) - set(GLOSSARY)) == []


def test_the_walk_catches_untranslatable_messages(tmp_path: Path) -> None:
    # Given a module with every kind of mistake the walk must catch
    module = tmp_path / "careless.py"
    module.write_text(
        "def check(vial, rule, text):\n"
        "    def no(rule, template, **params):\n"
        "        return Violation.of(rule, template, **params)\n"
        "    return [\n"
        "        Violation('R-X-1', f'{vial} was already shipped'),\n"
        "        Violation('R-X-1', text),\n"
        "        Violation.of('R-X-1', f'{vial} expired'),\n"
        "        Violation.of('R-X-1', '{vial} expired', code=vial),\n"
        "        Sentence('the culture from ' + vial),\n"
        "        no('R-X-2', f'{vial} is not released'),\n"
        "        no('R-X-2', '{vial} is not released', vial=vial),\n"
        "        InvalidInput(f'R-X-3: line {vial} is wrong'),\n"
        "        InvalidInput('R-X-3: the file is empty'),\n"
        "        InvalidInput(Sentence('R-X-3: the file is empty')),\n"
        "        NotFound(f'{vial} is not recorded'),\n"
        "    ]\n",
        encoding="utf-8",
    )
    found = Found()
    # When it is walked
    _scan_module(module, found)
    # Then each mistake is reported by line, and the good forwarded template is collected
    lines = sorted(int(p.split(":")[1]) for p in found.problems)
    assert lines == [5, 6, 7, 8, 9, 10, 12, 13]
    assert "{vial} is not released" in found.templates
