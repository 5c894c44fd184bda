"""Releases' fixtures: changes and releases made through the services, approvals through the
approvals engine, and the gate's key in the test's own folder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tuki.accounts.tokens import issue_token
from tuki.approvals.services import decide, request_approval
from tuki.changes.models import Change
from tuki.conftest import Desk
from tuki.releases import services
from tuki.releases.models import Release
from tuki.tickets import services as tickets
from tuki.tickets.models import Ticket


@pytest.fixture(autouse=True)
def gate_key(settings, tmp_path):
    settings.RELEASES_GATE_KEY_FILE = str(tmp_path / "gate_key.pem")
    return tmp_path / "gate_key.pem"


def approve(desk: Desk, ticket: Ticket) -> None:
    """Ask the lead and let them approve: the approvals engine, as a person would."""
    approval = request_approval(
        desk.operator, ticket, steps=[{"rule": "any", "users": [desk.lead.pk], "group": None}]
    )
    decide(desk.lead, approval.steps.get(), "approve")


def make_change(
    desk: Desk,
    title: str = "Upgrade the VPN",
    *,
    hours: tuple[int, int] = (-1, 2),
    approved: bool = True,
    restricted: bool = False,
    **fields,
) -> Change:
    ticket = tickets.create_ticket(
        desk.operator,
        title=title,
        requester=desk.operator,
        kind="change",
        group=desk.network_hel,
        restricted=restricted,
    )
    now = timezone.now()
    # The changes app gave the ticket its detail row when it was created: set its window.
    change, _ = Change.objects.update_or_create(
        ticket=ticket,
        defaults={
            "planned_start": now + timedelta(hours=hours[0]),
            "planned_end": now + timedelta(hours=hours[1]),
            **fields,
        },
    )
    if approved:
        approve(desk, ticket)
    change.ticket.refresh_from_db()
    return change


def make_release(
    desk: Desk, title: str = "Spring release", *, hours: tuple[int, int] = (-1, 3), **fields
) -> Release:
    now = timezone.now()
    return services.create_release(
        desk.operator,
        title=title,
        version="2.1",
        planned_start=now + timedelta(hours=hours[0]),
        planned_end=now + timedelta(hours=hours[1]),
        group=desk.network_hel,
        **fields,
    )


def fresh(release: Release) -> Release:
    return Release.objects.select_related("ticket__status").get(pk=release.pk)


@pytest.fixture
def token(desk: Desk) -> str:
    return issue_token(desk.specialist, "pipeline")


@pytest.fixture
def api(client, token):
    def call(method: str, url: str, body=None, tok: str | None = None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tok or token}"}
        fn = getattr(client, method)
        if body is None:
            return fn(url, **headers)
        return fn(url, body, content_type="application/json", **headers)

    return call
