"""A problem may not be closed while its incidents keep coming back (problems/guards.py)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from tuki.lib.errors import ServiceError
from tuki.problems import services
from tuki.problems.tests.conftest import make_incident, start
from tuki.tickets import services as tickets
from tuki.tickets.models import StatusCategory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def resolved_problem(desk, board):
    start(desk, board.problem)
    services.resolve_problem(desk.operator, board.problem, code="solved", incidents="resolve")
    board.problem.ticket.refresh_from_db()
    return board.problem.ticket


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


class TestClosingAProblem:
    def test_closing_is_refused_within_the_quiet_period(self, desk, clock, board):
        ticket = resolved_problem(desk, board)
        clock.shift(datetime.timedelta(days=3))
        with pytest.raises(ServiceError) as err:
            tickets.close_ticket(desk.operator, ticket)
        assert err.value.field == "status" and err.value.code == "incidents_recurring"
        assert board.first.number in err.value.message or board.second.number in err.value.message
        assert "16 Mar 2026" in err.value.message
        ticket.refresh_from_db()
        assert ticket.status.category == StatusCategory.RESOLVED

    def test_closing_is_allowed_after_the_quiet_period(self, desk, clock, board):
        ticket = resolved_problem(desk, board)
        clock.shift(datetime.timedelta(days=15))
        tickets.close_ticket(desk.operator, ticket)
        ticket.refresh_from_db()
        assert ticket.status.category == StatusCategory.CLOSED

    def test_a_reopened_incident_restarts_the_quiet_period(self, desk, clock, board):
        ticket = resolved_problem(desk, board)
        clock.shift(datetime.timedelta(days=10))
        tickets.reopen_ticket(desk.operator, board.first, reason="Back again")
        tickets.resolve_ticket(desk.operator, board.first, code="workaround")
        clock.shift(datetime.timedelta(days=5))  # 15 days after the start, 5 after the reopen
        with pytest.raises(ServiceError) as err:
            tickets.close_ticket(desk.operator, ticket)
        assert board.first.number in err.value.message
        clock.shift(datetime.timedelta(days=10))
        tickets.close_ticket(desk.operator, ticket)

    def test_an_active_incident_blocks_closing_whatever_its_age(self, desk, clock, board):
        ticket = resolved_problem(desk, board)
        late = make_incident(desk, "Another bounce")
        services.link_incidents(desk.operator, board.problem, [late])
        clock.shift(datetime.timedelta(days=60))
        with pytest.raises(ServiceError) as err:
            tickets.close_ticket(desk.operator, ticket)
        assert err.value.code == "incident_active" and late.number in err.value.message

    def test_the_problems_own_quiet_period_counts(self, desk, clock, board):
        services.update_problem(desk.operator, board.problem, quiet_days=2)
        ticket = resolved_problem(desk, board)
        clock.shift(datetime.timedelta(days=3))
        tickets.close_ticket(desk.operator, ticket)

    def test_cancelling_is_always_allowed(self, desk, clock, board):
        tickets.change_status(desk.operator, board.problem.ticket, "cancelled")
        board.problem.ticket.refresh_from_db()
        assert board.problem.ticket.status.key == "cancelled"
        assert timezone.now() == T0
