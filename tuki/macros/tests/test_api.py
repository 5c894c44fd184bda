"""The macros API: per role, field errors (422 with the path), render and apply."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tuki.conftest import Desk
from tuki.macros import services
from tuki.macros.models import Macro, Scope
from tuki.tickets.models import Comment, Ticket

API = "/api/v1/macros"


def call(client: Client, method: str, url: str, data: object = None):
    kwargs = {"content_type": "application/json"}
    if data is not None:
        kwargs["data"] = json.dumps(data)
    return getattr(client, method)(url, **kwargs)


@pytest.fixture
def thanks(desk: Desk) -> Macro:
    return services.create_macro(
        desk.admin, name="Thanks", scope=Scope.GLOBAL, body="Thanks {{requester.first_name}}"
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [("operator", 200), ("specialist", 200), ("admin", 200), ("requester", 403), ("outsider", 403)],
)
def test_list_per_role(desk: Desk, thanks: Macro, role: str, status: int) -> None:
    response = desk.client_for(getattr(desk, role)).get(f"{API}/")
    assert response.status_code == status
    if status == 200:
        assert [m["name"] for m in response.json()] == ["Thanks"]


def test_anonymous_is_refused(desk: Desk, thanks: Macro) -> None:
    assert Client().get(f"{API}/").status_code == 401


def test_create_edit_delete(desk: Desk) -> None:
    client = desk.client_for(desk.operator)
    response = call(
        client,
        "post",
        f"{API}/",
        {
            "name": "Mine",
            "body": "Hi {{requester.name}}",
            "actions": [{"type": "add_tags", "tags": ["a"]}],
        },
    )
    assert response.status_code == 201, response.content
    macro_id = response.json()["id"]
    assert response.json()["editable"] is True and response.json()["scope"] == "personal"
    response = call(client, "patch", f"{API}/{macro_id}", {"internal": True})
    assert response.status_code == 200 and response.json()["internal"] is True
    other = desk.client_for(desk.specialist)
    assert call(other, "patch", f"{API}/{macro_id}", {"name": "x"}).status_code == 404
    assert other.get(f"{API}/{macro_id}").status_code == 404
    assert call(other, "delete", f"{API}/{macro_id}").status_code == 404
    assert call(client, "delete", f"{API}/{macro_id}").status_code == 204
    assert not Macro.objects.exists()


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"name": "x", "body": "{{ticket.__class__}}"}, "body"),
        (
            {"name": "x", "actions": [{"type": "set_field", "field": "priority", "value": 7}]},
            "actions.0.value",
        ),
        ({"name": "x", "body": "a", "kinds": ["incident", "bogus"]}, "kinds.1"),
        ({"name": "x", "body": "a", "scope": "global"}, "scope"),
        ({"name": "", "body": "a"}, "name"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(desk: Desk, data, loc: str) -> None:
    response = call(desk.client_for(desk.operator), "post", f"{API}/", data)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", loc]
    assert not Macro.objects.exists()


def test_render(desk: Desk, escalated: Ticket) -> None:
    client = desk.client_for(desk.specialist)
    response = call(
        client,
        "post",
        f"{API}/render",
        {"template": "{{ticket.number}} {{requester.email}}", "ticket": escalated.number},
    )
    assert response.json() == {"text": f"{escalated.number} maija@acme.fi"}
    response = call(
        desk.client_for(desk.other_agent),
        "post",
        f"{API}/render",
        {"template": "x", "ticket": escalated.number},
    )
    assert response.status_code == 404
    response = call(
        client, "post", f"{API}/render", {"template": "{{x}}", "ticket": escalated.number}
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == [
        "body",
        "template",
    ]


def test_apply(desk: Desk, incident: Ticket, escalated: Ticket, thanks: Macro) -> None:
    response = call(
        desk.client_for(desk.operator),
        "post",
        f"{API}/{thanks.pk}/apply",
        {"ticket": incident.number, "extra_text": "Bye"},
    )
    assert response.status_code == 200, response.content
    comment = Comment.objects.get(pk=response.json()["comment"])
    assert comment.body == "Thanks Maija\n\nBye" and response.json()["internal"] is False


def test_apply_refused_for_a_specialist(desk: Desk, escalated: Ticket, thanks: Macro) -> None:
    response = call(
        desk.client_for(desk.specialist),
        "post",
        f"{API}/{thanks.pk}/apply",
        {"ticket": escalated.number},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "no_public_reply"
    assert not Comment.objects.exists()


def test_apply_on_an_invisible_ticket_is_a_404(
    desk: Desk, escalated: Ticket, thanks: Macro
) -> None:
    response = call(
        desk.client_for(desk.other_agent),
        "post",
        f"{API}/{thanks.pk}/apply",
        {"ticket": escalated.number},
    )
    assert response.status_code == 404
    assert not Comment.objects.exists()
