"""A published known error is among the suggestions of the Log a call page, with its
workaround and problem number."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tuki.problems import services

pytestmark = pytest.mark.django_db


def test_the_operator_logging_a_call_sees_the_known_error(
    desk, board, django_capture_on_commit_callbacks
):
    services.update_problem(
        desk.operator, board.problem, root_cause="A 10 MB limit", workaround="Share a OneDrive link"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_known_error(desk.operator, board.problem)
    client = desk.client_for(desk.operator)
    html = client.get(
        reverse("search:suggest"),
        {"title": "attachments rejected by mail server", "channel": "call"},
    ).content.decode()
    assert "Known error" in html
    assert board.problem.ticket.number in html
    assert "OneDrive" in html


def test_the_log_a_call_page_asks_for_the_suggestions(desk):
    html = desk.client_for(desk.operator).get(reverse("tickets:log_call")).content.decode()
    assert reverse("search:suggest") in html
