"""Property-based run against the service's own OpenAPI document (in-process ASGI): no server error,
whatever the input, for every role that can call the API's data endpoints."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.service.conftest import auth

pytestmark = pytest.mark.slow  # the real champion (real_champion.py): full-scale simulation, ingest, fitted models

EXAMPLES = 15


def test_no_server_error_on_any_operation(client, setup):
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_server_error(case):
            for role in ("coordinator", "jobcoach", "data_scientist"):
                case.call_and_validate(headers=auth(setup.tokens[role]), checks=[not_a_server_error])

        no_server_error()
