"""The report pages' test world: tickets of a fixed week, facts kept by the services, and the
viewers of every role. Imported by the pages' test modules (fixtures by name)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client

from tuki.accounts.models import SupportGroup, User
from tuki.conftest import Desk, make_user
from tuki.reports import facts
from tuki.tickets import services
from tuki.tickets.models import Channel, Ticket

NOW = "2026-03-11T10:00:00+02:00"  # a Wednesday in Helsinki
# The month of NOW, as the report pages' query spells a custom period.
MARCH = "period=custom&start=2026-03-01&end=2026-03-31"


def grant(user: User) -> None:
    user.user_permissions.add(Permission.objects.get(codename="view_reports"))


@dataclass
class World:
    desk: Desk
    manager: User  # manages the service desk (tier 1): may view reports, sees its tickets
    analyst: User  # granted reports.view_reports, sees all tickets
    tickets: list[Ticket]
    escalated: Ticket  # with Network Helsinki

    def client(self, user: User) -> Client:
        return self.desk.client_for(user)


@pytest.fixture
def at_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(desk: Desk, at_now: None, django_capture_on_commit_callbacks) -> World:
    return build_world(desk, django_capture_on_commit_callbacks)


def build_world(desk: Desk, capture: Any) -> World:
    """The world's people and tickets; `capture` is pytest-django's
    django_capture_on_commit_callbacks (a no-op's worth in a transactional test)."""
    manager = make_user("boss@tuki.test", "Mikko Manager", is_agent=True, language="fi")
    desk.service_desk.members.add(manager)
    SupportGroup.objects.filter(pk=desk.service_desk.pk).update(manager=manager)
    analyst = make_user("analyst2@tuki.test", "Aino Analyst", is_agent=True, sees_all_tickets=True)
    analyst.user_permissions.add(Permission.objects.get(codename="view_reports"))
    made = []
    for title, channel in [
        ("Printer jams", Channel.PHONE),
        ("Mail bounces", Channel.EMAIL),
        ("Mail quota", Channel.EMAIL),
        ("Laptop slow", Channel.WEB),
    ]:
        with capture(execute=True):
            made.append(
                services.create_ticket(
                    desk.operator, title=title, requester=desk.requester, channel=channel
                )
            )
    with capture(execute=True):
        vpn = services.create_ticket(
            desk.operator,
            title="VPN drops",
            requester=desk.requester,
            category=desk.vpn,
            channel=Channel.PHONE,
        )
    with capture(execute=True):
        vpn = services.escalate_ticket(desk.operator, vpn, group=desk.network_hel, reason="Net")
    made.append(vpn)
    # The receivers queue one refresh per ticket per transaction, remembered by an on-commit
    # callback; the test's one outer transaction keeps that callback across the capture
    # blocks above, so the escalation's refresh is skipped here (never in a real request).
    facts.refresh([t.pk for t in made])
    return World(
        desk=desk,
        manager=User.objects.get(pk=manager.pk),
        analyst=User.objects.get(pk=analyst.pk),
        tickets=made,
        escalated=vpn,
    )
