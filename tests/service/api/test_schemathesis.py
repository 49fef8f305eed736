"""Property-based run against the service's own OpenAPI document (in-process ASGI): no server error,
whatever the input, for every role that can call the API's data endpoints."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.service.conftest import auth

pytestmark = pytest.mark.slow  # the real champion (real_champion.py): full-scale simulation, ingest, fitted models

EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


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


STATEFUL = settings(max_examples=6, stateful_step_count=6, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def test_the_openapi_document_links_list_placement_and_actions(client):
    document = client.get("/api/v1/openapi.json").json()
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    links = [link for path in document["paths"].values() for op in path.values()
             for response in op["responses"].values() for link in response.get("links", {}).values()]
    assert len(links) >= 4 and {link["operationId"] for link in links} <= operations


@pytest.mark.parametrize("role", ["coordinator", "jobcoach", "data_scientist", "admin"])
def test_stateful_runs_through_list_placement_and_actions_answer_within_the_schema(client, setup, role):
    """Sequences that follow the links (list -> placement -> action -> placement): no 5xx, and every
    response (status, content type, body) as the OpenAPI document promises."""
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
    calls = []

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": auth(setup.tokens[role])}

        def after_call(self, response, case):
            calls.append((case.operation.label, response.status_code))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Workflow.run(settings=STATEFUL)
    followed = {label for label, _ in calls}
    assert any("actions" in label for label in followed) and any("risk-lists" in label for label in followed)
    if role in ("coordinator", "jobcoach"):  # a placement id is only found by following a link
        assert ("GET /api/v1/placements/{placement_id}", 200) in calls
