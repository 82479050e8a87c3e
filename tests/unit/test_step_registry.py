"""The step registry (R-PPL-2, R-LED-5): one declaration of who records which step. Every command
checks its step against it before anything is read or written; the API's next steps and the
documented table come from it."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ledger.api.forms import FORMS, next_steps
from ledger.application import SYSTEM, Actor, CellTraceLedger
from ledger.bootstrap import init_ledger, open_ledger
from ledger.commands.registry import STEPS, markdown_table
from ledger.config import Settings
from ledger.demo.records import released_lot
from ledger.domain.people import Role
from ledger.errors import NotAuthorised, RuleViolation, SignatureRefused
from ledger.item_effects import statuses
from ledger.stores.credential_throttle import Throttle
from tests.domain1 import Staffed, last_id

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ROOT / "ledger" / "commands"
PASSWORD = "a long test password"


def authorised_commands(
    check: tuple[str, ...] = ("authorise", "on_item"), arity: int = 2
) -> dict[str, list[str]]:
    """Step key -> the application methods that check it with `check` (read from the source):
    `authorise` (or `on_item`, which calls it) for the person recording, `missing_for` for a
    second signer."""
    found: dict[str, list[str]] = {}
    for path in sorted(COMMANDS.glob("*.py")):
        tree = ast.parse(path.read_text())
        keys = {
            node.targets[0].id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr in check
                    and len(call.args) >= arity
                    and isinstance(call.args[arity - 1], ast.Name)
                    and call.args[arity - 1].id in keys
                ):
                    found.setdefault(keys[call.args[arity - 1].id], []).append(node.name)
    return found


AUTHORISED = authorised_commands()
CASES = [(key, method) for key, methods in AUTHORISED.items() for method in methods]


def test_r_ppl_2_every_command_names_a_registered_step_and_every_step_a_command() -> None:
    second_signers = set(authorised_commands(("missing_for",), 1))
    assert set(AUTHORISED) | second_signers == set(STEPS)
    assert second_signers == {"bedside.verify"}
    assert len(CASES) >= 60


def test_r_ppl_2_the_documented_table_is_the_registry() -> None:
    text = (ROOT / "docs" / "steps.md").read_text()
    start = text.index("<!-- steps-table:start -->\n") + len("<!-- steps-table:start -->\n")
    end = text.index("\n<!-- steps-table:end -->")
    assert text[start:end] == markdown_table(), (
        "docs/steps.md is stale: paste `celltrace steps --markdown` between its markers"
    )


def test_r_ppl_2_the_forms_offered_take_roles_and_signature_from_the_registry() -> None:
    for form in FORMS:
        rule = STEPS[form.step]
        assert form.roles == tuple(r.value for r in rule.roles), form.key
        assert form.describe("X")["signed"] is rule.signed, form.key


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CellTraceLedger, dict]]:
    """A ledger with one person per role, trained for every step, and one untrained person
    per role."""
    data = tmp_path_factory.mktemp("registry")
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    init_ledger(settings)
    app = open_ledger(settings)
    trained, untrained = {}, {}
    today = app.today()
    for role in Role:
        code, _ = app.register_person(SYSTEM, [role.value])
        for key in STEPS:
            app.record_training(SYSTEM, code, key, today, today + timedelta(days=30), "SOP v1")
        app.credentials.create_tables()
        app.credentials.set_password(code, PASSWORD)
        trained[role] = Actor(code, role.value)
        other, _ = app.register_person(SYSTEM, [role.value])
        untrained[role] = Actor(other, role.value)
    try:
        yield app, {"trained": trained, "untrained": untrained}
    finally:
        app.close()


def call(method: Any, actor: Actor) -> None:
    """Call `method` with placeholders after the actor: the step must be refused before any
    of them is read."""
    parameters = list(inspect.signature(method).parameters.values())[1:]
    required = [p for p in parameters if p.default is inspect.Parameter.empty]
    positional = ["PLACEHOLDER" for p in required if p.kind is not p.KEYWORD_ONLY]
    keywords = {p.name: "PLACEHOLDER" for p in required if p.kind is p.KEYWORD_ONLY}
    method(actor, *positional, **keywords)


@pytest.mark.parametrize(("key", "method"), CASES, ids=[f"{k}:{m}" for k, m in CASES])
def test_r_ppl_2_each_step_is_refused_in_a_wrong_role_or_untrained_writing_nothing(
    people: tuple[CellTraceLedger, dict], key: str, method: str
) -> None:
    app, staff = people
    rule = STEPS[key]
    command = getattr(app, method)
    wrong = next(role for role in Role if role not in rule.roles)
    before = last_id(app)
    # A person trained for everything, acting in a role the registry does not give the step
    with pytest.raises(NotAuthorised) as refused:
        call(command, staff["trained"][wrong])
    assert [v.rule for v in refused.value.violations] == ["R-PPL-2"]
    assert "is recorded in the role" in refused.value.violations[0].message
    # A person in the right role without training for it
    with pytest.raises(NotAuthorised) as untrained:
        call(command, staff["untrained"][rule.roles[0]])
    assert [v.rule for v in untrained.value.violations] == ["R-PPL-2"]
    assert key in untrained.value.violations[0].message
    assert last_id(app) == before


SIGNED = [(key, method) for key, method in CASES if STEPS[key].signed]


def test_r_led_5_the_signed_decisions_the_guideline_names_are_signed() -> None:
    signed = {key for key, rule in STEPS.items() if rule.signed}
    assert {
        "donors.eligibility",
        "banks.release",
        "materials.disposition",
        "materials.recall",
        "quality.certify",
        "production.dispose",
        "shipment.qp_release",
        "safety.ethics_decision",
        "safety.emergency_unblinding",
        "bedside.administer",
        "bedside.verify",
    } <= signed


@pytest.mark.parametrize(("key", "method"), SIGNED, ids=[f"{k}:{m}" for k, m in SIGNED])
def test_r_led_5_each_signed_step_is_refused_without_the_signers_password_writing_nothing(
    people: tuple[CellTraceLedger, dict], key: str, method: str
) -> None:
    app, staff = people
    command = getattr(app, method)
    signer = staff["trained"][STEPS[key].roles[0]]
    before = last_id(app)
    # Signed in, in the right role and trained, but not signing: refused by the application
    # itself, whichever program calls it
    with pytest.raises(SignatureRefused) as unsigned:
        call(command, signer)
    assert "R-LED-5" in str(unsigned.value) and "signed decision" in str(unsigned.value)
    # Signing with a wrong password: refused too
    with pytest.raises(SignatureRefused) as wrong:
        call(command, signer.signed("not the password"))
    assert "R-LED-5: electronic signature refused: wrong password" in str(wrong.value)
    assert last_id(app) == before
    # (forget this test's wrong passwords, so the signer's next signed step is not blocked)
    Throttle(app.credentials.engine).clear(f"signature:{signer.person_id}")


def test_r_ppl_2_the_stations_offer_each_step_in_exactly_the_statuses_the_registry_gives() -> None:
    # Every step the registry records on a scanned item has a form at the stations
    scanned = {key for key, rule in STEPS.items() if rule.on}
    assert scanned == {form.step for form in FORMS}
    # And for every item type and every status the items view can show, the forms offered
    # (to anyone, and to each role) are the registry's steps for it
    for item_type in {t for rule in STEPS.values() for t in rule.on}:
        for status in statuses():
            for role in (None, *(r.value for r in Role)):
                offered = {form.step for form in next_steps(item_type, status, role)}
                allowed = {
                    key
                    for key, rule in STEPS.items()
                    if rule.applies(item_type, status)
                    and (role is None or role in {r.value for r in rule.roles})
                }
                assert offered == allowed, (item_type, status, role)


def test_r_ppl_2_a_step_on_an_item_in_a_status_the_registry_does_not_give_is_refused(
    staffed: Staffed,
) -> None:
    # Given a material lot received into quarantine and never released
    app, staff = staffed
    released_lot(app, staff, "MEM-ALPHA")
    expiry = app.today() + timedelta(days=200)
    lot, _ = app.receive_material_lot(staff["operator"], "MEM-ALPHA", "S", "L2", expiry, "CoA")
    before = last_id(app)
    # When QA recalls it (the lot's own rules would let the recall through)
    with pytest.raises(RuleViolation) as refused:
        app.recall_material_lot(staff["qa"], lot, "supplier notice")
    # Then the application refuses it from the registry, naming the statuses it needs and the
    # one the lot is in, and nothing is written
    (violation,) = refused.value.violations
    assert violation.rule == STEPS["materials.recall"].rule == "R-MAT-1"
    assert violation.message == (
        f"materials.recall is recorded on an item that is released; {lot} is quarantine. "
        "Scan the item the step is for, or resolve its status first"
    )
    assert last_id(app) == before
    # And once released, the lot is recalled; a second recall is refused by the lot's own
    # rule, which names the precise reason first
    app.release_material_lot(staff["qc_analyst"], lot, "QC-2")
    app.recall_material_lot(staff["qa"], lot, "supplier notice")
    with pytest.raises(RuleViolation) as again:
        app.recall_material_lot(staff["qa"], lot, "supplier notice")
    assert [v.message for v in again.value.violations] == [f"{lot} is already recalled"]
