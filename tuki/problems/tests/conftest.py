"""Problem fixtures: a problem of the service desk with linked incidents, and a helper to
register incidents."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tuki.conftest import Desk
from tuki.problems import services
from tuki.problems.models import Problem
from tuki.tickets import services as tickets
from tuki.tickets.models import Category, Ticket


def make_incident(
    desk: Desk, title: str, description: str = "", category: Category | None = None, **extra
) -> Ticket:
    return tickets.create_ticket(
        desk.operator,
        title=title,
        description=description,
        requester=extra.pop("requester", desk.requester),
        category=category,
        **extra,
    )


@dataclass
class Board:
    problem: Problem
    first: Ticket  # linked incidents
    second: Ticket


@pytest.fixture
def board(desk: Desk) -> Board:
    first = make_incident(desk, "Mail server rejects attachments", "Outlook says 552.")
    second = make_incident(desk, "Attachments bounce from the mail server", "Error 552 again.")
    problem = services.create_problem(
        desk.operator,
        title="Mail server rejects big attachments",
        description="Attachments over 10 MB bounce with 552.",
        incidents=[first, second],
    )
    return Board(problem, first, second)


def start(desk: Desk, problem: Problem) -> None:
    """Move the problem to in progress (where it may be resolved)."""
    tickets.change_status(desk.operator, problem.ticket, "in_progress")
    problem.ticket.refresh_from_db()
