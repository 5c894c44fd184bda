"""Placeholders: each one, unknown ones refused at save, no template injection."""

from __future__ import annotations

import pytest

from tuki.conftest import Desk
from tuki.lib.errors import ServiceError
from tuki.macros import services
from tuki.macros.placeholders import PLACEHOLDERS
from tuki.tickets import services as ticket_services
from tuki.tickets.models import Ticket


@pytest.fixture
def assigned(desk: Desk, escalated: Ticket) -> Ticket:
    return ticket_services.assign_ticket(desk.lead, escalated, assignee=desk.specialist)


def test_each_placeholder_is_filled_in(desk: Desk, assigned: Ticket, settings) -> None:
    settings.SITE_URL = "https://desk.example.com/"
    expected = {
        "ticket.number": assigned.number,
        "ticket.title": "VPN drops every few minutes",
        "ticket.status": "Assigned",
        "ticket.priority": "3 - Moderate",
        "ticket.group": "Network Helsinki",
        "ticket.assignee": "Sanna Specialist",
        "ticket.url": f"https://desk.example.com/portal/tickets/{assigned.number}/",
        "requester.name": "Maija Meikäläinen",
        "requester.first_name": "Maija",
        "requester.email": "maija@acme.fi",
        "agent.name": "Olli Operator",
        "organisation.name": "Acme Oy",
    }
    assert set(expected) == set(PLACEHOLDERS)
    for name, value in expected.items():
        rendered = services.render_text(f"<{{{{{name}}}}}>", assigned, desk.operator)
        assert rendered == f"<{value}>", name


def test_spaces_inside_the_braces_are_allowed(desk: Desk, incident: Ticket) -> None:
    text = services.render_text("Hello {{ requester.first_name }},", incident, desk.operator)
    assert text == "Hello Maija,"


def test_a_rule_signs_with_the_owning_desk(desk: Desk, incident: Ticket) -> None:
    assert services.render_text("{{agent.name}}", incident) == "Service Desk"


def test_missing_values_are_empty(desk: Desk, incident: Ticket) -> None:
    desk.requester.organisation = None
    desk.requester.save()
    incident.refresh_from_db()
    incident.organisation = None
    assert services.render_text("[{{organisation.name}}][{{ticket.assignee}}]", incident) == "[][]"


@pytest.mark.parametrize(
    "text",
    [
        "{{ticket.__class__}}",
        "{{ticket.requester.password}}",
        "{% load static %}{% debug %}",
        "{{ settings.SECRET_KEY }}",
        "{{ticket.title|upper}}",
        "{{ticket.number.__init__.__globals__}}",
    ],
)
def test_injection_attempts_stay_literal(desk: Desk, incident: Ticket, text: str) -> None:
    assert services.render_text(text, incident, desk.operator) == text


def test_values_are_not_expanded_again(desk: Desk, incident: Ticket) -> None:
    ticket_services.update_ticket(desk.operator, incident, title="{{requester.email}} {% load x %}")
    incident.refresh_from_db()
    assert services.render_text("{{ticket.title}}", incident) == "{{requester.email}} {% load x %}"


def test_unknown_placeholder_is_refused_when_saved(desk: Desk) -> None:
    with pytest.raises(ServiceError) as caught:
        services.create_macro(desk.operator, name="Bad", body="Hi {{ticket.__class__}}")
    assert caught.value.field == "body"
    assert "ticket.__class__" in caught.value.message
    with pytest.raises(ServiceError):
        services.validate_template("{{requester.password}}")
    assert services.validate_template("{% load static %} {{ticket.url}}")


def test_known_placeholders_are_accepted(desk: Desk) -> None:
    body = " ".join(f"{{{{{name}}}}}" for name in PLACEHOLDERS)
    macro = services.create_macro(desk.operator, name="All", body=body)
    assert macro.body == body


def test_a_custom_field_is_a_placeholder_shown_as_the_ticket_page_shows_it(
    desk: Desk, assigned: Ticket
) -> None:
    from tuki.macros.placeholders import unknown_placeholders
    from tuki.tickets.models import CustomField

    CustomField.objects.create(
        key="laptop_model",
        label="Laptop model",
        type="choice",
        choices=[{"value": "x1", "label": "ThinkPad X1"}],
    )
    CustomField.objects.create(key="room", label="Room", type="text")
    Ticket.objects.filter(pk=assigned.pk).update(custom={"laptop_model": "x1"})
    assigned.refresh_from_db()
    text = "{{ticket.custom.laptop_model}} in {{ticket.custom.room}}."
    assert unknown_placeholders(text + " {{ticket.custom.nothing}}") == ["ticket.custom.nothing"]
    assert services.render_text(text, assigned, desk.operator) == "ThinkPad X1 in ."
