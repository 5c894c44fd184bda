"""A major incident on top of the desk: the requester's VPN incident, escalated to Network
Helsinki (whose manager is `lead`), declared major by the lead; and incidents of three
requesters in three languages that join it as children."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from tuki.accounts.models import User
from tuki.conftest import Desk
from tuki.majors import services
from tuki.majors.models import MajorIncident
from tuki.tickets import services as tickets
from tuki.tickets.models import Channel, Ticket


def make_incident(desk: Desk, requester: User, title: str = "VPN is down", **extra: Any) -> Ticket:
    extra.setdefault("category", desk.vpn)
    return tickets.create_ticket(
        desk.operator,
        title=title,
        requester=requester,
        channel=Channel.PHONE,
        impact=2,
        urgency=2,
        **extra,
    )


@dataclass
class Kids:
    maija_1: Ticket  # the requester's (Finnish)
    maija_2: Ticket  # the requester's second ticket
    matti: Ticket  # the colleague's (English)
    ion: Ticket  # the outsider's (Romanian)

    def all(self) -> list[Ticket]:
        return [self.maija_1, self.maija_2, self.matti, self.ion]


@pytest.fixture
def major(desk: Desk, escalated: Ticket) -> MajorIncident:
    return services.declare_major(desk.lead, escalated, summary="VPN service is down.")


@pytest.fixture
def kids(desk: Desk) -> Kids:
    desk.requester.language = "fi"
    desk.requester.save()
    desk.outsider.language = "ro"
    desk.outsider.save()
    return Kids(
        make_incident(desk, desk.requester, "No VPN"),
        make_incident(desk, desk.requester, "VPN again"),
        make_incident(desk, desk.colleague, "Cannot connect"),
        make_incident(desk, desk.outsider, "VPN timeout"),
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """Run what a service call left for after commit (mail tasks), as a real commit would."""

    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run
