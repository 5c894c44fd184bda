"""Routing fixtures: a three-person team and a helper that runs the after-commit work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tuki.accounts.models import SupportGroup, User
from tuki.conftest import Desk, make_user
from tuki.tickets import services
from tuki.tickets.models import Ticket


@dataclass
class Team:
    group: SupportGroup
    a: User
    b: User
    c: User


@pytest.fixture
def team(desk: Desk) -> Team:
    """Network Bucharest with three agents, in id order A, B, C."""
    a = make_user("anca@tuki.test", "Anca A", is_agent=True, time_zone="Europe/Bucharest")
    b = make_user("bogdan@tuki.test", "Bogdan B", is_agent=True, time_zone="Europe/Bucharest")
    c = make_user("cezar@tuki.test", "Cezar C", is_agent=True, time_zone="Europe/Bucharest")
    desk.network_buc.members.add(a, b, c)
    return Team(desk.network_buc, a, b, c)


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run a call and the after-commit work it triggers (receivers, immediate tasks)."""

    def run(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


@pytest.fixture
def new_ticket(desk: Desk, committed: Callable[..., Any]) -> Iterator[Callable[..., Ticket]]:
    """A ticket the operator logs; routing and assignment run as after commit."""

    def make(**kwargs: Any) -> Ticket:
        kwargs.setdefault("title", "VPN drops")
        kwargs.setdefault("requester", desk.requester)
        ticket = committed(services.create_ticket, desk.operator, **kwargs)
        return Ticket.objects.with_related().get(pk=ticket.pk)

    yield make
