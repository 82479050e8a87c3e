"""A bounded schemathesis run over the OpenAPI description: no input produces a 500 or a
response that breaks the documented schema (DESIGN.md: never a 500 for bad input)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from ledger.api.app import create_app
from ledger.config import Settings
from tests.e2e.test_api_foundation import admin_code, auth  # noqa: F401 - fixture

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
EXAMPLES_PER_OPERATION = 5
#: The clinical domain's endpoints, each of which must be among the fuzzed operations.
CLINICAL = {
    ("POST", "/api/v1/shipments"),
    ("POST", "/api/v1/shipments/{code}/logger"),
    ("POST", "/api/v1/shipments/{code}/logger/file"),
    ("POST", "/api/v1/shipments/{code}/receipt-inspection"),
    ("POST", "/api/v1/shipments/{code}/release"),
    ("POST", "/api/v1/studies"),
    ("POST", "/api/v1/patients"),
    ("POST", "/api/v1/studies/{code}/ethics-decision"),
    ("POST", "/api/v1/patients/{code}/unblinding"),
    ("GET", "/api/v1/studies/{code}/overdue-visits"),
    ("GET", "/api/v1/studies/{code}/overdue-reports"),
}


def test_fuzzed_requests_get_no_500_and_match_the_schema(
    sqlite_settings: Settings,
    admin_code: str,  # noqa: F811
) -> None:
    # Given the API with a signed-in administrator
    app = create_app(sqlite_settings)
    with TestClient(app) as client:
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 8
        assert {(op.method.upper(), op.path) for op in operations} >= CLINICAL
        # When every operation gets a bounded number of generated requests (a fresh token
        # for each: fuzzing POST /auth/logout ends the one it is sent with)
        for operation in operations:
            _fuzz(operation, auth(client, admin_code))
    # Then (inside _fuzz) none answered 500 or broke its documented response schema


def _fuzz(operation: Any, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        # An item code's check character (R-ID-1) cannot be written in JSON Schema, so a
        # schema-valid but mistyped code is rightly refused with 422: that check is off.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    run()
