"""The change pages: who may enter each (agents, the agent of another group on a restricted
change, requesters, administrators, anonymous visitors), their query budgets, and the forms
that write through the services."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tuki.changes import services
from tuki.changes.models import Change, ChangeSettings, ChangeTemplate, TemplateState
from tuki.changes.tests.conftest import Board, approve
from tuki.conftest import Desk
from tuki.lib.testing import assert_same_count, query_budget
from tuki.tickets import services as tickets
from tuki.tickets.models import Ticket

PAGES = ["changes:list", "changes:new", "changes:scores", "changes:templates"]
LIST_QUERIES = 9
PANEL_QUERIES = 12


@pytest.mark.parametrize("name", PAGES)
def test_agents_and_admins_open_the_change_pages(desk: Desk, board: Board, name: str) -> None:
    for user in (desk.specialist, desk.other_agent, desk.admin):
        assert desk.client_for(user).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_requesters_get_a_404_and_anonymous_visitors_sign_in(
    desk: Desk, board: Board, name: str
) -> None:
    assert desk.client_for(desk.requester).get(reverse(name)).status_code == 404
    response = Client().get(reverse(name))
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("name", ["changes:panel", "changes:edit"])
def test_a_restricted_change_is_a_404_for_an_agent_of_another_group(
    desk: Desk, board: Board, name: str
) -> None:
    url = reverse(name, args=[board.change.pk])
    assert desk.client_for(desk.specialist).get(url).status_code == 200
    assert desk.client_for(desk.admin).get(url).status_code == 200
    assert desk.client_for(desk.other_agent).get(url).status_code == 404
    assert desk.client_for(desk.requester).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_the_list_hides_a_restricted_change_from_another_group(desk: Desk, board: Board) -> None:
    number = board.change.ticket.number
    assert number in desk.client_for(desk.specialist).get("/changes/").content.decode()
    assert number not in desk.client_for(desk.other_agent).get("/changes/").content.decode()


def test_the_list_filters_by_type_and_risk(desk: Desk, board: Board) -> None:
    client = desk.client_for(desk.specialist)
    number = board.change.ticket.number
    assert number in client.get("/changes/?change_type=normal").content.decode()
    assert number not in client.get("/changes/?change_type=emergency").content.decode()
    assert number not in client.get("/changes/?risk=4").content.decode()
    assert number in client.get(f"/changes/?state=all&group={desk.network_hel.pk}").content.decode()


def _list_queries(desk: Desk):
    client = desk.client_for(desk.specialist)
    client.get("/changes/")
    with query_budget(LIST_QUERIES) as queries:
        assert client.get("/changes/").status_code == 200
    return queries


def test_the_list_costs_the_same_queries_for_few_or_many_changes(desk: Desk, board: Board) -> None:
    few = _list_queries(desk)
    for n in range(8):
        services.create_change(
            desk.specialist, title=f"Change {n}", requester=desk.specialist, group=desk.network_hel
        )
    assert_same_count(few, _list_queries(desk))


def test_the_ticket_page_loads_the_change_section(desk: Desk, board: Board) -> None:
    page = desk.client_for(desk.specialist).get(board.change.ticket.get_absolute_url())
    assert reverse("changes:panel", args=[board.change.pk]) in page.content.decode()


def test_the_panel_shows_the_risk_the_plans_and_the_cab_button_within_its_budget(
    desk: Desk, board: Board
) -> None:
    client = desk.client_for(desk.specialist)
    url = reverse("changes:panel", args=[board.change.pk])
    client.get(url)
    with query_budget(PANEL_QUERIES):
        page = client.get(url).content.decode()
    assert "Boot the previous image." in page
    assert 'id="request-cab"' in page
    assert "No approval was asked for yet." in page


def test_request_cab_approval_from_the_panel(desk: Desk, board: Board) -> None:
    client = desk.client_for(desk.specialist)
    response = client.post(reverse("changes:request_approval", args=[board.change.pk]))
    assert response.status_code == 302
    assert Ticket.objects.get(pk=board.change.pk).status.key == "awaiting_approval"
    page = client.get(reverse("changes:panel", args=[board.change.pk])).content.decode()
    assert "CAB: <strong>Pending</strong>" in page


def test_the_new_change_form_registers_a_standard_change_from_its_template(
    desk: Desk, board: Board
) -> None:
    client = desk.client_for(desk.specialist)
    response = client.post(
        "/changes/new/",
        {"title": "Restart relay", "change_type": "standard", "template": board.template.pk},
    )
    assert response.status_code == 302
    change = Change.objects.get(ticket__title="Restart relay")
    assert change.template == board.template
    assert change.implementation_plan == "systemctl restart relay"


def test_the_new_change_form_shows_a_refusal_by_its_field(desk: Desk, board: Board) -> None:
    response = desk.client_for(desk.specialist).post(
        "/changes/new/", {"title": "No template", "change_type": "standard"}
    )
    assert response.status_code == 422
    assert "A standard change comes from an approved template." in response.content.decode()


def test_the_edit_page_saves_the_plans_and_answers(desk: Desk, board: Board) -> None:
    client = desk.client_for(desk.specialist)
    response = client.post(
        reverse("changes:edit", args=[board.change.pk]),
        {"change_type": "normal", "test_plan": "Ping the gateway.", "q_outage": "full"},
    )
    assert response.status_code == 302
    change = Change.objects.get(pk=board.change.pk)
    assert change.test_plan == "Ping the gateway."
    assert change.questionnaire == {"outage": "full"}
    assert change.risk == 3


def test_outcome_review_and_caused_incident_from_the_panel(
    desk: Desk, board: Board, escalated: Ticket
) -> None:
    services.request_cab_approval(desk.specialist, board.change)
    approve(board.change, desk.lead)
    tickets.change_status(desk.specialist, Ticket.objects.get(pk=board.change.pk), "in_progress")
    tickets.resolve_ticket(desk.specialist, Ticket.objects.get(pk=board.change.pk), code="solved")
    client = desk.client_for(desk.specialist)
    client.post(reverse("changes:outcome", args=[board.change.pk]), {"outcome": "failed"})
    client.post(reverse("changes:review", args=[board.change.pk]), {"review": "Test first."})
    client.post(reverse("changes:caused", args=[board.change.pk]), {"incident": escalated.number})
    change = Change.objects.get(pk=board.change.pk)
    assert (change.outcome, change.review) == ("failed", "Test first.")
    page = client.get(reverse("changes:panel", args=[board.change.pk])).content.decode()
    assert escalated.number in page


def test_only_change_managers_approve_templates_on_the_page(desk: Desk, board: Board) -> None:
    draft = ChangeTemplate.objects.create(name="Draft", implementation_plan="Do it.")
    url = reverse("changes:template_state", args=[draft.pk])
    assert desk.client_for(desk.specialist).post(url, {"state": "approved"}).status_code == 403
    assert desk.client_for(desk.lead).post(url, {"state": "approved"}).status_code == 302
    assert ChangeTemplate.objects.get(pk=draft.pk).state == TemplateState.APPROVED


def test_the_template_form_adds_a_draft(desk: Desk, board: Board) -> None:
    response = desk.client_for(desk.specialist).post(
        "/changes/templates/new/",
        {
            "name": "Add a VLAN",
            "implementation_plan": "Configure.",
            "duration_minutes": 30,
            "risk": 1,
        },
    )
    assert response.status_code == 302
    assert ChangeTemplate.objects.get(name="Add a VLAN").state == TemplateState.DRAFT


def test_only_administrators_choose_the_boards_on_the_page(desk: Desk, board: Board) -> None:
    assert desk.client_for(desk.lead).get("/changes/settings/").status_code == 403
    assert desk.client_for(desk.requester).get("/changes/settings/").status_code == 404
    response = desk.client_for(desk.admin).post(
        "/changes/settings/", {"cab": board.ecab.pk, "ecab": board.ecab.pk}
    )
    assert response.status_code == 302
    assert ChangeSettings.load().cab == board.ecab


def test_the_scores_page_shows_the_period(desk: Desk, board: Board) -> None:
    page = desk.client_for(desk.specialist).get("/changes/scores/?start=2026-01-01&end=2026-02-01")
    assert page.status_code == 200
    assert 'id="group-scores"' in page.content.decode()
