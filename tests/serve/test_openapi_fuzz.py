"""schemathesis against the served OpenAPI schema: no generated input may cause a server error (5xx), and every
status the service answers is one its schema declares."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, status_code_conformance


def test_no_generated_request_causes_a_server_error(served) -> None:
    schema = schemathesis.openapi.from_url(f"{served.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/segment", "/v1/quantify", "/v1/specs/validate", "/v1/models"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_server_error(case) -> None:
            response = case.call(headers=served.auth, timeout=60)
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
            assert " at 0x" not in response.text  # no Python object reprs in any answer

        no_server_error()
