"""Reference custom fields (person, organisation) pick by search, not from a capped select."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tuki.accounts.models import SupportGroup
from tuki.conftest import Desk, make_user
from tuki.lib.errors import ServiceErrors
from tuki.tickets import fields_forms, services
from tuki.tickets.models import Ticket
from tuki.tickets.tests.test_custom_fields import make_field

pytestmark = pytest.mark.django_db

URL = reverse("tickets:reference_options")


def options(client: Client, **params: str) -> list[dict[str, str]]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("operator", 200),
        ("specialist", 200),
        ("lead", 200),
        ("other_agent", 200),
        ("admin", 200),
        ("requester", 404),
        ("colleague", 404),
        ("outsider", 404),
    ],
)
def test_who_may_search(desk: Desk, role: str, status: int) -> None:
    response = desk.client_for(getattr(desk, role)).get(URL, {"type": "user", "q": "a"})
    assert response.status_code == status


def test_a_visitor_signs_in_first(desk: Desk) -> None:
    response = Client().get(URL, {"type": "user", "q": "a"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_people_are_found_by_name_or_email_past_any_select_limit(desk: Desk) -> None:
    for index in range(520):
        make_user(f"person{index}@acme.example", f"Person {index:03}")
    last = make_user("zz.last@acme.example", "Zelda Last")
    client = desk.client_for(desk.operator)
    assert options(client, type="user", q="Zelda") == [
        {"value": str(last.pk), "label": "Zelda Last (zz.last@acme.example)"}
    ]
    assert [r["value"] for r in options(client, type="user", q="zz.last@")] == [str(last.pk)]
    assert len(options(client, type="user", q="Person")) == 20


def test_an_external_agent_finds_only_the_people_they_may_pick(desk: Desk) -> None:
    group = SupportGroup.objects.create(name="PrintCo", tier=SupportGroup.Tier.SUPPLIER)
    agent = make_user("tech@printco.example", "Pia Printco", is_agent=True)
    group.members.add(agent)
    client = desk.client_for(agent)
    assert options(client, type="user", q=desk.outsider.email) == []
    assert [r["value"] for r in options(client, type="user", q="Pia")] == [str(agent.pk)]


def test_organisations_are_found_by_name(desk: Desk) -> None:
    found = options(desk.client_for(desk.operator), type="organisation", q="acm")
    assert found == [{"value": str(desk.acme.pk), "label": str(desk.acme)}]


def test_nothing_typed_or_an_unknown_type_finds_nothing(desk: Desk) -> None:
    client = desk.client_for(desk.operator)
    assert options(client, type="user", q="  ") == []
    assert options(client, type="weather", q="a") == []
    assert options(client, type="user", q="a\x00b") == []


def test_the_form_offers_only_the_current_value_and_accepts_any_id_for_the_services(
    desk: Desk, incident: Ticket
) -> None:
    field = make_field("approver", "user")
    form = fields_forms.values_form([field], values={"approver": desk.lead.pk})
    html = str(form["custom.approver"])
    assert 'data-picker-url="/desk/fields/options/?type=user"' in html
    assert str(desk.lead) in html and str(desk.requester) not in html
    # An id picked by search is not among the select's options; the form lets it through,
    # and the services decide.
    posted = fields_forms.values_form([field], {"custom.approver": str(desk.requester.pk)})
    assert posted.is_valid(), posted.errors
    assert str(desk.requester) in str(posted["custom.approver"])
    services.update_ticket(desk.operator, incident, custom=posted.values())
    assert Ticket.objects.get(pk=incident.pk).custom["approver"] == desk.requester.pk
    wrong = fields_forms.values_form([field], {"custom.approver": "999999"})
    assert wrong.is_valid()
    with pytest.raises(ServiceErrors) as refused:
        services.update_ticket(desk.operator, incident, custom=wrong.values())
    errors: Any = refused.value.errors
    assert [e.field for e in errors] == ["custom.approver"]
