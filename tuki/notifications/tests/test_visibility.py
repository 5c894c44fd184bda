"""A notification about a ticket the recipient may no longer see (restricted, or moved to
other groups since) drops out of their list, page and API: its text names the ticket."""

from __future__ import annotations

import pytest

from tuki.notifications import services
from tuki.tickets.models import Ticket
from tuki.tickets.tests.test_api_support import token_client

pytestmark = pytest.mark.django_db


def test_a_notification_of_a_ticket_now_out_of_sight_is_not_listed(desk, incident):
    [note] = services.notify([desk.operator], incident, "rule", "Salary case INC update")
    [general] = services.notify([desk.operator], None, "rule", "Maintenance tonight")
    Ticket.objects.filter(pk=incident.pk).update(
        restricted=True, owner_group=desk.network_hel, group=desk.network_hel, owner=None
    )
    page = desk.client_for(desk.operator).get("/notifications/").content.decode()
    assert "Salary case" not in page and "Maintenance tonight" in page
    body = token_client(desk.operator).get("/api/v1/notifications/").json()
    assert "Salary case" not in str(body) and "Maintenance tonight" in str(body)
    opened = desk.client_for(desk.operator).get(f"/notifications/{note.pk}/open/")
    assert opened.status_code == 404 and general.pk
