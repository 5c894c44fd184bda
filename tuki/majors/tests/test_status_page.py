"""The status page shows a declared major's public summary and public updates only."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.conftest import Desk
from tuki.majors import services
from tuki.majors.models import MajorIncident
from tuki.majors.tests.conftest import make_incident

pytestmark = pytest.mark.django_db


def test_the_status_page_shows_public_updates_but_not_internal_ones(
    desk: Desk, major: MajorIncident, settings
):
    settings.STATUS_PAGE_PUBLIC = True
    services.attach_children(desk.admin, major, [make_incident(desk, desk.outsider)])
    services.post_update(desk.lead, major, "Engineers are replacing a router.")
    services.post_update(desk.lead, major, "Bridge: call 555-0101", public=False)
    services.post_update(desk.lead, major, "Tell the CIO", kind="stakeholder")
    for page in (Client().get("/status/"), desk.client_for(desk.requester).get("/portal/status/")):
        body = page.content.decode()
        assert page.status_code == 200
        assert "VPN service is down." in body
        assert "Engineers are replacing a router." in body
        assert "555-0101" not in body and "Tell the CIO" not in body
        assert major.ticket.number not in body
        assert desk.outsider.get_full_name() not in body  # a requester of the parent's children
        assert desk.lead.get_full_name() not in body


def test_a_resolved_major_leaves_the_status_page(desk: Desk, major: MajorIncident, settings):
    settings.STATUS_PAGE_PUBLIC = True
    services.resolve_major(desk.lead, major, code="solved")
    assert "VPN service is down." not in Client().get("/status/").content.decode()


def test_a_proposal_is_not_on_the_status_page(desk: Desk, incident, settings):
    settings.STATUS_PAGE_PUBLIC = True
    services.propose_major(desk.operator, incident, summary="Maybe VPN")
    assert "Maybe VPN" not in Client().get("/status/").content.decode()
