"""schemathesis over the API's OpenAPI schema: no input gives a 5xx.

Every operation of `/api/v1/openapi.json` gets the coverage phase (the schema's boundaries:
missing and extra fields, too large numbers, wrong types), then generated examples (the
fuzzing phase), seeded so that CI sees the same cases every run; the stateful phase chains
calls through the links schemathesis infers. The requests go straight into Django's WSGI
application (no server), signed in with a personal API token as an agent and as a requester,
against the small desk of tuki/conftest.py plus a ticket, a comment and an article, so that
the ids it meets are real ones as well as made-up ones.

What it checks: `not_a_server_error` — no 5xx, whatever the input. A failure prints the
request as a curl command to replay it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from tuki.accounts.tokens import issue_token
from tuki.api import api
from tuki.tickets import services

pytestmark = pytest.mark.slow  # a hundred operations, a few dozen requests each

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 13,
        "generation": {"deterministic": True, "max-examples": 4},
        "phases": {"stateful": {"max-steps": 10}},
    }
)


def load_schema() -> Any:
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
    schema.app = WSGIHandler()
    return schema


schema = load_schema()
requester_schema = load_schema()


@pytest.fixture
def world(desk: Any) -> Iterator[dict[str, str]]:
    """The desk, a few real rows, and each role's token header. Django's own WSGI handler
    closes the connection after each request, which would end the test's transaction: the
    test client disconnects that signal, and so does this fixture."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        ticket = services.create_ticket(
            desk.operator, title="Printer on fire", requester=desk.requester, category=desk.vpn
        )
        services.add_comment(desk.requester, ticket, "Still burning")
        yield {
            "agent": f"Bearer {issue_token(desk.operator)}",
            "requester": f"Bearer {issue_token(desk.requester)}",
        }
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


SLOW_DATA = hypothesis_settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)


@schema.parametrize()
@SLOW_DATA
def test_no_input_gives_an_agent_a_server_error(case: Any, world: dict[str, str]) -> None:
    case.call_and_validate(headers={"Authorization": world["agent"]}, checks=[not_a_server_error])


@requester_schema.parametrize()
@SLOW_DATA
def test_no_input_gives_a_requester_a_server_error(case: Any, world: dict[str, str]) -> None:
    case.call_and_validate(
        headers={"Authorization": world["requester"]}, checks=[not_a_server_error]
    )
