"""The changes API per role, with 422 per field, 404 for what one may not read, 403 for
what one may read but not do."""

from __future__ import annotations

import json

from django.test import Client

from tuki.changes.models import Change, ChangeTemplate, TemplateState
from tuki.changes.tests.conftest import Board, approve
from tuki.conftest import Desk
from tuki.tickets import services as tickets
from tuki.tickets.models import Ticket

API = "/api/v1/changes"


def call(client: Client, method: str, url: str, data: object = None):
    kwargs: dict = {"content_type": "application/json"}
    if data is not None:
        kwargs["data"] = json.dumps(data)
    return getattr(client, method)(url, **kwargs)


def test_anonymous_visitors_get_401(desk: Desk, board: Board) -> None:
    assert Client().get(f"{API}/").status_code == 401
    assert Client().get(f"{API}/{board.change.pk}").status_code == 401


def test_requesters_read_nothing(desk: Desk, board: Board) -> None:
    client = desk.client_for(desk.requester)
    assert client.get(f"{API}/").status_code == 404
    assert client.get(f"{API}/{board.change.pk}").status_code == 404
    assert call(client, "post", f"{API}/", {"title": "x"}).status_code == 404


def test_agents_list_and_read_the_changes_they_may_see(desk: Desk, board: Board) -> None:
    mine = desk.client_for(desk.specialist)
    listed = mine.get(f"{API}/").json()
    assert [c["number"] for c in listed] == [board.change.ticket.number]
    detail = mine.get(f"{API}/{board.change.pk}").json()
    assert detail["backout_plan"] == "Boot the previous image."
    assert detail["type"] == "normal"
    other = desk.client_for(desk.other_agent)
    assert other.get(f"{API}/").json() == []
    assert other.get(f"{API}/{board.change.pk}").status_code == 404
    assert desk.client_for(desk.admin).get(f"{API}/{board.change.pk}").status_code == 200


def test_creating_a_change_and_its_errors_by_field(desk: Desk, board: Board) -> None:
    client = desk.client_for(desk.specialist)
    response = call(
        client,
        "post",
        f"{API}/",
        {"title": "Add a route", "group": desk.network_hel.pk, "questionnaire": {"outage": "full"}},
    )
    assert response.status_code == 201, response.content
    assert response.json()["risk"] == 3
    refused = call(client, "post", f"{API}/", {"title": "Std", "type": "standard"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "template"]
    missing = call(client, "post", f"{API}/", {"title": "x", "template": 99999})
    assert missing.status_code == 422
    bad = call(client, "post", f"{API}/", {"title": "x", "type": "sideways"})
    assert bad.status_code == 422


def test_patching_a_change(desk: Desk, board: Board) -> None:
    client = desk.client_for(desk.specialist)
    url = f"{API}/{board.change.pk}"
    response = call(client, "patch", url, {"test_plan": "Ping.", "type": "emergency"})
    assert response.status_code == 200
    assert response.json()["type"] == "emergency"
    assert response.json()["risk"] >= 3
    refused = call(client, "patch", url, {"type": "standard"})
    assert refused.status_code == 422
    assert (
        call(desk.client_for(desk.other_agent), "patch", url, {"test_plan": "x"}).status_code == 404
    )


def test_risk_with_its_reasons(desk: Desk, board: Board) -> None:
    client = desk.client_for(desk.specialist)
    call(client, "patch", f"{API}/{board.change.pk}", {"questionnaire": {"backout": "no"}})
    risk = client.get(f"{API}/{board.change.pk}/risk").json()
    assert risk["risk"] == 4 and risk["label"] == "Very high"
    assert risk["reasons"][0]["text"].startswith("Very high:")


def test_request_approval_outcome_and_review(desk: Desk, board: Board, escalated: Ticket) -> None:
    client = desk.client_for(desk.specialist)
    url = f"{API}/{board.change.pk}"
    response = call(client, "post", f"{url}/request-approval")
    assert response.status_code == 201 and response.json()["state"] == "pending"
    again = call(client, "post", f"{url}/request-approval")
    assert again.status_code == 422
    too_early = call(client, "post", f"{url}/outcome", {"outcome": "successful"})
    assert too_early.status_code == 422
    assert too_early.json()["detail"][0]["loc"] == ["body", "outcome"]
    approve(board.change, desk.lead)
    tickets.change_status(desk.specialist, Ticket.objects.get(pk=board.change.pk), "in_progress")
    tickets.resolve_ticket(desk.specialist, Ticket.objects.get(pk=board.change.pk), code="solved")
    done = call(client, "post", f"{url}/outcome", {"outcome": "successful", "notes": "OK"})
    assert done.status_code == 200 and done.json()["outcome"] == "successful"
    reviewed = call(client, "post", f"{url}/review", {"review": "Smooth."})
    assert reviewed.json()["reviewed_by"] == desk.specialist.email
    assert call(client, "post", f"{url}/review", {"review": " "}).status_code == 422
    caused = call(client, "post", f"{url}/caused-incidents", {"incident": escalated.number})
    assert caused.status_code == 201
    unknown = call(client, "post", f"{url}/caused-incidents", {"incident": "INC-999999"})
    assert unknown.status_code == 422
    scores = client.get(f"{API}/scores").json()
    assert (scores["total"], scores["successful"]) == (1, 0)  # it caused an incident


def test_templates_list_create_and_approve(desk: Desk, board: Board) -> None:
    client = desk.client_for(desk.specialist)
    assert [t["name"] for t in client.get(f"{API}/templates").json()] == [board.template.name]
    made = call(client, "post", f"{API}/templates", {"name": "VLAN", "implementation_plan": "x"})
    assert made.status_code == 201 and made.json()["state"] == "draft"
    pk = made.json()["id"]
    assert call(client, "post", f"{API}/templates", {"name": "vlan"}).status_code == 422
    assert call(client, "post", f"{API}/templates/{pk}/approve").status_code == 403
    lead = desk.client_for(desk.lead)
    approved = call(lead, "post", f"{API}/templates/{pk}/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert ChangeTemplate.objects.get(pk=pk).state == TemplateState.APPROVED
    assert call(lead, "post", f"{API}/templates/999999/approve").status_code == 404
    assert desk.client_for(desk.requester).get(f"{API}/templates").status_code == 404


def test_an_unknown_change_is_a_404(desk: Desk, board: Board) -> None:
    assert desk.client_for(desk.admin).get(f"{API}/999999").status_code == 404
    assert Change.objects.count() == 1
