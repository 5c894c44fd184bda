"""Macro pages and the reply form's picker: each role, field errors, nothing half-written."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.conftest import Desk
from tuki.lib.testing import query_budget
from tuki.macros import services
from tuki.macros.models import Macro, Scope
from tuki.tickets.models import Comment, Ticket

ROLES = [
    "requester",
    "colleague",
    "outsider",
    "operator",
    "specialist",
    "lead",
    "other_agent",
    "admin",
]
AGENTS = {"operator", "specialist", "lead", "other_agent", "admin"}


def client_for(desk: Desk, role: str) -> Client:
    return Client() if role == "anonymous" else desk.client_for(getattr(desk, role))


@pytest.fixture
def macros(desk: Desk) -> dict[str, Macro]:
    return {
        "personal": services.create_macro(
            desk.operator, name="Olli's hello", body="Hi {{requester.first_name}}"
        ),
        "group": services.create_macro(
            desk.lead,
            name="Network note",
            scope=Scope.GROUP,
            group=desk.network_hel,
            body="Checked {{ticket.number}}",
            internal=True,
        ),
        "global": services.create_macro(
            desk.admin, name="Thanks", scope=Scope.GLOBAL, body="Thank you, {{requester.name}}."
        ),
    }


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_list_page_per_role(desk: Desk, macros, role: str) -> None:
    response = client_for(desk, role).get("/macros/")
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response["Location"]
        return
    if role not in AGENTS:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert ("Olli&#x27;s hello" in page) == (role == "operator")
    assert ("Network note" in page) == (role in ("specialist", "lead", "admin"))
    assert "Thanks" in page


@pytest.mark.parametrize(
    ("role", "which", "status"),
    [
        ("operator", "personal", 200),
        ("specialist", "personal", 404),
        ("admin", "personal", 404),  # personal macros are their owner's
        ("lead", "group", 200),
        ("specialist", "group", 404),  # members use it, the manager edits it
        ("admin", "group", 200),
        ("operator", "global", 404),
        ("admin", "global", 200),
        ("requester", "personal", 404),
        ("outsider", "global", 404),
    ],
)
def test_edit_page_per_role(desk: Desk, macros, role: str, which: str, status: int) -> None:
    response = client_for(desk, role).get(f"/macros/{macros[which].pk}/")
    assert response.status_code == status


def test_edit_page_anonymous_signs_in(desk: Desk, macros) -> None:
    response = Client().get(f"/macros/{macros['global'].pk}/")
    assert response.status_code == 302


def test_an_agent_makes_a_personal_macro_with_actions(desk: Desk) -> None:
    response = desk.client_for(desk.operator).post(
        "/macros/new/",
        {
            "name": "Callback",
            "scope": "personal",
            "body": "We will call you, {{requester.first_name}}.",
            "kinds": ["incident"],
            "is_active": "on",
            "set_priority": "2",
            "add_tags": "callback, phone",
            "assign_group": desk.service_desk.pk,
            "assign_agent": desk.operator.pk,
            "set_status": "in_progress",
        },
    )
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert macro.owner == desk.operator and macro.scope == Scope.PERSONAL
    assert macro.kinds == ["incident"]
    assert macro.actions == [
        {"type": "set_field", "field": "priority", "value": 2},
        {"type": "add_tags", "tags": ["callback", "phone"]},
        {"type": "assign", "group": desk.service_desk.pk, "agent": desk.operator.pk},
        {"type": "set_status", "status": "in_progress"},
    ]
    page = desk.client_for(desk.operator).get(f"/macros/{macro.pk}/").content.decode()
    assert "callback, phone" in page


def test_an_unknown_placeholder_is_a_field_error(desk: Desk) -> None:
    response = desk.client_for(desk.operator).post(
        "/macros/new/", {"name": "Bad", "scope": "personal", "body": "Hi {{ticket.__class__}}"}
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert "ticket.__class__" in form.errors["body"][0]
    assert not Macro.objects.exists()


def test_an_agent_outside_the_group_is_an_error_on_the_agent_field(desk: Desk) -> None:
    response = desk.client_for(desk.operator).post(
        "/macros/new/",
        {
            "name": "Bad",
            "scope": "personal",
            "body": "x",
            "assign_group": desk.apps.pk,
            "assign_agent": desk.specialist.pk,
        },
    )
    assert response.status_code == 422
    assert "assign_agent" in response.context["form"].errors
    assert not Macro.objects.exists()


def test_a_specialist_cannot_share_with_everyone(desk: Desk) -> None:
    response = desk.client_for(desk.specialist).post(
        "/macros/new/", {"name": "All", "scope": "global", "body": "x"}
    )
    assert response.status_code == 422
    assert "scope" in response.context["form"].errors
    assert not Macro.objects.exists()


def test_the_manager_edits_the_group_macro(desk: Desk, macros) -> None:
    macro = macros["group"]
    response = desk.client_for(desk.lead).post(
        f"/macros/{macro.pk}/",
        {
            "name": "Network note v2",
            "scope": "group",
            "group": desk.network_hel.pk,
            "body": "B",
            "internal": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    macro.refresh_from_db()
    assert macro.name == "Network note v2" and macro.internal


@pytest.mark.parametrize(
    ("role", "status"), [("operator", 302), ("specialist", 404), ("requester", 404)]
)
def test_delete_per_role(desk: Desk, macros, role: str, status: int) -> None:
    response = client_for(desk, role).post(f"/macros/{macros['personal'].pk}/delete/")
    assert response.status_code == status
    assert Macro.objects.filter(pk=macros["personal"].pk).exists() == (status != 302)


def test_preview_renders_against_a_visible_ticket(desk: Desk, escalated: Ticket) -> None:
    client = desk.client_for(desk.specialist)
    response = client.post(
        "/macros/preview/",
        {"body": "Hi {{requester.first_name}} {{ticket.number}}", "ticket": escalated.number},
    )
    assert f"Hi Maija {escalated.number}" in response.content.decode()
    response = desk.client_for(desk.other_agent).post(
        "/macros/preview/", {"body": "{{requester.email}}", "ticket": escalated.number}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "maija@acme.fi" not in page
    assert "No ticket" in page
    response = client.post("/macros/preview/", {"body": "{{nope}}", "ticket": escalated.number})
    assert "Unknown placeholder" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"), [("requester", 404), ("outsider", 404), ("anonymous", 302)]
)
def test_preview_is_for_agents(desk: Desk, incident: Ticket, role: str, status: int) -> None:
    response = client_for(desk, role).post(
        "/macros/preview/", {"body": "x", "ticket": incident.number}
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("operator", 200),
        ("specialist", 200),
        ("lead", 200),
        ("admin", 200),
        ("other_agent", 404),
        ("requester", 404),
        ("colleague", 404),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_picker_per_role(desk: Desk, escalated: Ticket, macros, role: str, status: int) -> None:
    response = client_for(desk, role).get(f"/macros/tickets/{escalated.number}/picker/")
    assert response.status_code == status
    if status == 200 and role == "specialist":
        page = response.content.decode()
        assert "Network note" in page and "Thanks" in page and "Olli" not in page


def test_the_ticket_page_loads_the_picker(desk: Desk, incident: Ticket) -> None:
    page = desk.client_for(desk.operator).get(incident.get_absolute_url()).content.decode()
    assert f"/macros/tickets/{incident.number}/picker/" in page


def test_insert_returns_the_rendered_text(desk: Desk, incident: Ticket, macros) -> None:
    client = desk.client_for(desk.operator)
    response = client.get(
        f"/macros/tickets/{incident.number}/insert/", {"macro": macros["global"].pk}
    )
    assert response.status_code == 200
    assert response.content.decode() == "Thank you, Maija Meikäläinen."
    assert response["X-Tuki-Macro-Internal"] == "0"
    # Someone else's macro, or none: refused without a 500.
    other = client.get(f"/macros/tickets/{incident.number}/insert/", {"macro": macros["group"].pk})
    assert other.status_code == 422
    assert (
        client.get(f"/macros/tickets/{incident.number}/insert/", {"macro": "x"}).status_code == 422
    )


@pytest.mark.parametrize(
    ("role", "status"), [("requester", 404), ("other_agent", 404), ("anonymous", 302)]
)
def test_insert_and_apply_hide_the_ticket(
    desk: Desk, escalated: Ticket, macros, role: str, status: int
) -> None:
    client = client_for(desk, role)
    url = f"/macros/tickets/{escalated.number}/"
    assert client.get(url + "insert/", {"macro": macros["global"].pk}).status_code == status
    assert client.post(url + "apply/", {"macro": macros["global"].pk}).status_code == status
    assert not Comment.objects.filter(ticket=escalated).exists()


def test_apply_posts_and_changes(desk: Desk, incident: Ticket) -> None:
    macro = services.create_macro(
        desk.operator,
        name="Take",
        body="On it, {{requester.first_name}}.",
        actions=[{"type": "add_tags", "tags": ["taken"]}],
    )
    response = desk.client_for(desk.operator).post(
        f"/macros/tickets/{incident.number}/apply/",
        {"macro": macro.pk, "body": "Call me."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and response["HX-Redirect"] == incident.get_absolute_url()
    comment = Comment.objects.get(ticket=incident)
    assert comment.body == "On it, Maija.\n\nCall me." and not comment.is_internal
    assert list(incident.tags.values_list("name", flat=True)) == ["taken"]


def test_apply_refused_for_a_specialist_shows_the_reason(
    desk: Desk, escalated: Ticket, macros
) -> None:
    response = desk.client_for(desk.specialist).post(
        f"/macros/tickets/{escalated.number}/apply/",
        {"macro": macros["global"].pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "may not write to requesters" in response.content.decode()
    assert not Comment.objects.filter(ticket=escalated).exists()
    response = desk.client_for(desk.specialist).post(
        f"/macros/tickets/{escalated.number}/apply/", {"macro": macros["global"].pk}
    )
    assert response.status_code == 302  # without htmx: back to the ticket with the message


def test_apply_the_group_note_as_specialist(desk: Desk, escalated: Ticket, macros) -> None:
    response = desk.client_for(desk.specialist).post(
        f"/macros/tickets/{escalated.number}/apply/", {"macro": macros["group"].pk}
    )
    assert response.status_code == 302
    comment = Comment.objects.get(ticket=escalated)
    assert comment.is_internal and comment.body == f"Checked {escalated.number}"


def test_list_and_picker_in_a_fixed_number_of_queries(desk: Desk, incident: Ticket) -> None:
    for n in range(15):
        services.create_macro(desk.operator, name=f"Mine {n}", body="x", kinds=["incident"])
        services.create_macro(
            desk.admin, name=f"Desk {n}", scope=Scope.GROUP, group=desk.service_desk, body="y"
        )
        services.create_macro(desk.admin, name=f"All {n}", scope=Scope.GLOBAL, body="z")
    client = desk.client_for(desk.operator)
    client.get("/macros/")
    with query_budget(12):
        page = client.get("/macros/").content.decode()
    assert "Mine 14" in page and "Desk 14" in page and "All 14" in page and "Incident" in page
    with query_budget(10):
        page = client.get(f"/macros/tickets/{incident.number}/picker/").content.decode()
    assert page.count("<option") == 46
