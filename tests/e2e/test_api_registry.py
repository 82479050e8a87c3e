"""Every step of the step registry through the HTTP API (R-PPL-2, R-LED-5): each operation that
records a step names it (its OpenAPI description carries the registry entry), and for each,
with requests the API accepts as well-formed, a person in a role the registry does not give
the step is refused 403, a person in the right role without its training 403, and a signed
decision whose signer does not re-enter their own password 401. Every refusal names what is
missing and writes nothing."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from ledger.api.app import create_app
from ledger.api.step_docs import STEP
from ledger.commands.registry import STEPS
from ledger.config import Settings
from ledger.stores.credential_throttle import Throttle
from tests.domain3 import Clinic, Clock
from tests.e2e.conftest import ClinicApi

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
EXAMPLES = 2  # well-formed requests per operation and kind of refusal


def _operations() -> list[tuple[str, str, str]]:
    """(step, method, path) of every API operation that records a step, as the OpenAPI
    description declares them."""
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        spec = create_app(Settings(data_dir=where, database_url=f"sqlite:///{where / 'l.db'}"))
        described = spec.openapi()
    return sorted(
        (operation[STEP], method.upper(), path)
        for path, operations in described["paths"].items()
        for method, operation in operations.items()
        if STEP in operation
    )


OPERATIONS = _operations()


def test_r_ppl_2_every_step_is_recorded_by_an_operation_that_describes_it() -> None:
    # Every registry step but the bedside verification (the administration's second signer,
    # given in the same request) has an operation, and its description is the registry's
    assert {step for step, _, _ in OPERATIONS} == set(STEPS) - {"bedside.verify"}
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        app = create_app(Settings(data_dir=where, database_url=f"sqlite:///{where / 'l.db'}"))
        paths = app.openapi()["paths"]
    for step, method, path in OPERATIONS:
        description = paths[path][method.lower()]["description"]
        rule = STEPS[step]
        assert f"**Step `{step}`**" in description, path
        assert rule.row()["roles"] in description, path
        assert ("re-enters their password" in description) is rule.signed, path


@pytest.fixture(scope="module")
def served(
    api_clinic_template: Clinic, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ClinicApi, dict[tuple[str, str], Any], dict[str, dict[str, str]]]]:
    """The clinic served once for this module, its step operations, and one untrained person
    per role, signed in."""
    data = tmp_path_factory.mktemp("registry-api") / "data"
    shutil.copytree(api_clinic_template.plant.settings.data_dir, data)
    config = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ledger.db'}")
    app = create_app(config, clock=Clock())
    with TestClient(app) as client:
        api = ClinicApi(client, api_clinic_template, Clock())
        api.sign_in()
        # the description as a document: loading it through the app would run (and end) the
        # app's lifespan a second time
        schema = schemathesis.openapi.from_dict(app.openapi())
        operations = {}
        for result in schema.get_all_operations():
            operation = result.ok()
            if STEP in operation.definition.raw:
                operations[(operation.method.upper(), operation.path)] = operation
        untrained = {}
        for role in {r.value for rule in STEPS.values() for r in rule.roles}:
            person = {"roles": [role], "password": f"untrained {role} password"}
            made = api.post("administrator", "/people", person)
            assert made.status_code == 201, made.text
            token = client.post(
                "/api/v1/auth/token",
                data={"username": made.json()["code"], "password": person["password"]},
            )
            assert token.status_code == 200, token.text
            untrained[role] = {"Authorization": f"Bearer {token.json()['access_token']}"}
        yield api, operations, untrained


def _signed_in_as(api: ClinicApi, role: str) -> dict[str, str]:
    """Headers of the clinic's trained staff member acting in `role`."""
    name = next(n for n, actor in api.clinic.staff.items() if actor.role == role)
    return api.headers(name)


#: A well-formed code for path parameters: the refusals come before any item is looked up.
SOME_CODE = "LOT-F01-26-000001-5"


def _send(api: ClinicApi, case: Any, headers: dict[str, str], body: Any = None) -> Any:
    if case.path_parameters and "code" in case.path_parameters:
        case.path_parameters["code"] = SOME_CODE
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    if case.media_type == "multipart/form-data":  # a logger file: a well-formed upload
        for generated in ("files", "data", "content"):
            kwargs.pop(generated, None)
        kwargs["data"] = {"logger": "LOG-1"}
        kwargs["files"] = {"file": ("logger.csv", b"2026-03-01T09:00:00+00:00,-80.0\n")}
    kwargs["headers"] = headers  # only the sign-in: generated headers (Device-Time) are not
    # what is tested here
    if body is not None:
        kwargs["json"] = body
    kwargs.pop("base_url", None)
    method, url = kwargs.pop("method"), kwargs.pop("url")
    return api.client.request(method, url, **kwargs)


@pytest.mark.parametrize(
    ("step", "method", "path"), OPERATIONS, ids=[f"{s}:{m} {p}" for s, m, p in OPERATIONS]
)
def test_r_ppl_2_r_led_5_each_step_over_http_is_refused_without_role_training_or_signature(
    served: tuple[ClinicApi, dict[tuple[str, str], Any], dict[str, dict[str, str]]],
    step: str,
    method: str,
    path: str,
) -> None:
    api, operations, untrained = served
    rule = STEPS[step]
    roles = [r.value for r in rule.roles]
    staff_roles = {actor.role for actor in api.clinic.staff.values()}
    wrong = sorted(staff_roles - set(roles))[0]
    operation = operations[(method, path)]
    before = api.last_id()

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same requests on every run
        suppress_health_check=list(HealthCheck),
    )
    def refused(case: Any) -> None:
        # A person trained for the step's area, signed in in a role the registry does not give
        answer = _send(api, case, _signed_in_as(api, wrong))
        assert answer.status_code == 403, (answer.status_code, answer.text)
        assert f"{step} is recorded in the role" in answer.json()["detail"], answer.text
        # A person in the step's role without training for it
        answer = _send(api, case, untrained[roles[0]])
        assert answer.status_code == 403, (answer.status_code, answer.text)
        assert step in answer.json()["detail"] and "training" in answer.json()["detail"]
        # A signed decision whose trained signer gives a password that is not theirs
        if rule.signed and isinstance(case.body, dict):
            body = {**case.body, "signature": {"password": "not the signer's password"}}
            signer = _signed_in_as(api, roles[0])
            answer = _send(api, case, signer, body)
            assert answer.status_code == 401, (answer.status_code, answer.text)
            assert "R-LED-5" in answer.json()["detail"], answer.text
            # (the wrong passwords of this test are not an attack on the signer: forget them,
            # so the signer's signatures are not blocked for the next step, R-ACC-4)
            code = next(a.person_id for a in api.clinic.staff.values() if a.role == roles[0])
            Throttle(api.ledger.credentials.engine).clear(f"signature:{code}")

    refused()
    # And nothing was written by any of them
    assert api.last_id() == before
