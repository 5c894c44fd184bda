"""Log a call: the kind, the similar open ticket warning, adding the call to it."""

from __future__ import annotations

import pytest

from tuki.conftest import Desk
from tuki.tickets import services
from tuki.tickets.models import Channel, Comment, Kind, Ticket

pytestmark = pytest.mark.django_db
URL = "/desk/call/"


def payload(desk: Desk, **data: object) -> dict[str, object]:
    base: dict[str, object] = {
        "requester": desk.requester.pk,
        "category": desk.vpn.pk,
        "title": "VPN will not connect",
        "description": "Error 809",
        "impact": 2,
        "urgency": 2,
        "outcome": "save",
        "kind": "incident",
    }
    base.update(data)
    return base


def test_a_call_can_register_a_service_request(desk: Desk) -> None:
    desk.client_for(desk.operator).post(URL, payload(desk, kind="request"))
    assert Ticket.objects.get().kind == Kind.REQUEST


def test_an_unknown_kind_is_a_field_error(desk: Desk) -> None:
    response = desk.client_for(desk.operator).post(URL, payload(desk, kind="change"))
    assert response.status_code == 422 and not Ticket.objects.exists()


def test_the_caller_s_similar_open_ticket_is_shown(desk: Desk) -> None:
    old = services.create_ticket(
        desk.operator, title="VPN connection fails", requester=desk.requester
    )
    services.create_ticket(desk.operator, title="Printer jam", requester=desk.requester)
    client = desk.client_for(desk.operator)
    html = client.get(
        URL + "similar/", {"requester": desk.requester.pk, "title": "vpn does not connect"}
    ).content.decode()
    assert old.number in html and "Printer jam" not in html
    assert 'name="add_to"' in html
    # A colleague of the same organisation calling about it: offered as a ticket to link to,
    # never to add the call to (it is not theirs).
    other = client.get(URL + "similar/", {"requester": desk.colleague.pk, "title": "vpn connect"})
    text = other.content.decode()
    assert old.number in text and 'name="add_to"' not in text and 'name="link_to"' in text


def test_the_call_is_added_to_the_open_ticket_as_a_phone_note(desk: Desk) -> None:
    old = services.create_ticket(
        desk.operator, title="VPN connection fails", requester=desk.requester
    )
    response = desk.client_for(desk.operator).post(URL, payload(desk, add_to=old.pk))
    assert response.status_code == 302 and Ticket.objects.count() == 1
    note = Comment.objects.get(ticket=old)
    assert (
        note.channel == Channel.PHONE and note.is_internal and "VPN will not connect" in note.body
    )


def test_adding_to_another_caller_s_ticket_is_refused(desk: Desk) -> None:
    old = services.create_ticket(desk.operator, title="VPN", requester=desk.colleague)
    response = desk.client_for(desk.operator).post(URL, payload(desk, add_to=old.pk))
    assert response.status_code == 422 and not Comment.objects.exists()
