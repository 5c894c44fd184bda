"""The majors API: agents only (404 for the rest and for invisible tickets), 422 by field."""

from __future__ import annotations

import pytest

from tuki.conftest import Desk
from tuki.majors.models import Communication, MajorIncident, State
from tuki.majors.tests.conftest import Kids
from tuki.tickets.models import LinkType, Ticket, TicketLink
from tuki.tickets.tests.test_api_support import ROLES, client_as, error_fields, get, post

pytestmark = pytest.mark.django_db

NOT_SIGNED_IN = {"anonymous": 401, "bad_token": 401}
REQUESTERS = ("requester", "colleague", "outsider")


@pytest.mark.parametrize("role", ROLES)
def test_who_may_list_and_read(desk: Desk, major: MajorIncident, role: str):
    client = client_as(desk, role)
    listing = get(client, "/majors/")
    one = get(client, f"/majors/{major.pk}")
    if role in NOT_SIGNED_IN:
        assert listing.status_code == one.status_code == NOT_SIGNED_IN[role]
    elif role in REQUESTERS:
        assert listing.status_code == one.status_code == 404
    else:
        assert listing.status_code == 200
        sees = role in ("operator", "specialist", "admin")
        assert one.status_code == (200 if sees else 404)
        assert [m["ticket"] for m in listing.json()["items"]] == (
            [major.ticket.number] if sees else []
        )


@pytest.mark.parametrize("role", ROLES)
def test_who_may_declare(desk: Desk, incident: Ticket, role: str):
    response = post(client_as(desk, role), "/majors/declare", {"ticket": incident.number})
    expected = {**NOT_SIGNED_IN, "admin": 201, "operator": 403}.get(role, 404)
    assert response.status_code == expected, response.content
    assert MajorIncident.objects.exists() == (expected == 201)


def test_proposing_an_invisible_ticket_is_a_404(desk: Desk, incident: Ticket):
    response = post(client_as(desk, "other_agent"), "/majors/propose", {"ticket": incident.number})
    assert response.status_code == 404
    assert not MajorIncident.objects.exists()


def test_the_whole_course_through_the_api(desk: Desk, major: MajorIncident, kids: Kids):
    admin = client_as(desk, "admin")
    response = post(admin, f"/majors/{major.pk}/children", {"tickets": [kids.matti.number]})
    assert response.status_code == 200 and response.json()["children"] == [kids.matti.number]
    response = post(admin, f"/majors/{major.pk}/updates", {"body": "Router out", "kind": "public"})
    assert response.status_code == 201 and response.json()["reached"] == 1
    response = post(admin, f"/majors/{major.pk}/resolve", {"code": "solved"})
    assert response.status_code == 200 and response.json()["state"] == State.RESOLVED
    response = post(admin, f"/majors/{major.pk}/review", {"timeline": "2 h down"})
    assert response.status_code == 200 and response.json()["state"] == State.REVIEWED
    assert [c["body"] for c in get(admin, f"/majors/{major.pk}").json()["communications"]] == [
        "Router out"
    ]


def test_bad_input_names_the_field(desk: Desk, major: MajorIncident, kids: Kids):
    admin = client_as(desk, "admin")
    assert error_fields(
        post(admin, f"/majors/{major.pk}/children", {"tickets": ["INC-999999"]})
    ) == ["tickets"]
    assert error_fields(post(admin, f"/majors/{major.pk}/updates", {"body": " "})) == ["body"]
    assert error_fields(post(admin, f"/majors/{major.pk}/updates", {"body": "x", "kind": "x"})) == [
        "kind"
    ]
    assert error_fields(post(admin, f"/majors/{major.pk}/resolve", {"code": "nope"})) == ["code"]
    assert error_fields(post(admin, f"/majors/{major.pk}/review", {"timeline": "x"})) == ["state"]
    assert error_fields(
        post(admin, "/majors/declare", {"ticket": kids.matti.number, "manager": desk.requester.pk})
    ) == ["manager"]
    assert not Communication.objects.exists()
    assert not TicketLink.objects.filter(type=LinkType.PARENT_OF).exists()


def test_propose_accept_and_reject(desk: Desk, incident: Ticket):
    operator, admin = client_as(desk, "operator"), client_as(desk, "admin")
    response = post(operator, "/majors/propose", {"ticket": incident.number})
    assert response.status_code == 201 and response.json()["state"] == State.PROPOSED
    assert post(operator, f"/majors/{incident.pk}/accept", {}).status_code == 403
    assert post(admin, f"/majors/{incident.pk}/reject", {"reason": "no"}).status_code == 200
    assert post(operator, "/majors/propose", {"ticket": incident.number}).status_code == 201
    response = post(admin, f"/majors/{incident.pk}/accept", {"manager": desk.operator.pk})
    assert response.status_code == 200 and response.json()["manager_id"] == desk.operator.pk
