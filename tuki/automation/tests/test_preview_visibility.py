"""The preview and the run log are no side door: a staff administrator outside a restricted
ticket's groups learns nothing of it through them (issue 13, "the preview oracle")."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.automation import services
from tuki.automation.models import Rule, RuleRun
from tuki.conftest import Desk, make_user
from tuki.tickets import services as tickets
from tuki.tickets.models import Ticket
from tuki.tickets.tests.test_api_support import get, post, token_client

pytestmark = pytest.mark.django_db

SECRET = {"match": "all", "items": [{"field": "description", "op": "contains", "value": "salary"}]}


@pytest.fixture
def staff_admin(desk: Desk) -> Any:
    """Staff administrator granted all tickets, in no group: every ticket but the restricted
    ones of other groups."""
    return make_user(
        "staff@tuki.test", "Stella Staff", is_agent=True, is_staff=True, sees_all_tickets=True
    )


@pytest.fixture
def hr_case(desk: Desk) -> Ticket:
    """A restricted case held by Network Helsinki alone."""
    ticket = tickets.create_ticket(
        desk.specialist,
        title="Confidential",
        description="The CEO's salary is in the attachment.",
        requester=desk.requester,
        group=desk.network_hel,
        restricted=True,
    )
    Ticket.objects.filter(pk=ticket.pk).update(owner_group=desk.network_hel)
    return ticket


def test_the_preview_does_not_count_a_restricted_ticket_the_admin_cannot_see(
    desk: Desk, staff_admin: Any, hr_case: Ticket
) -> None:
    result = services.preview_rule(staff_admin, conditions=SECRET)
    assert (result.count, result.tickets) == (0, [])
    seen = services.preview_rule(desk.admin, conditions=SECRET)  # a superuser sees everything
    assert seen.count == 1 and seen.tickets == [hr_case]


def test_the_preview_api_does_not_count_it_either(staff_admin: Any, hr_case: Ticket) -> None:
    body = post(token_client(staff_admin), "/automation/rules/preview", {"conditions": SECRET})
    assert body.status_code == 200
    assert (body.json()["count"], body.json()["tickets"]) == (0, [])


def test_the_preview_page_does_not_count_it_either(
    desk: Desk, staff_admin: Any, hr_case: Ticket
) -> None:
    data = {
        "trigger": "event",
        "match": "all",
        "node": ["0"],
        "node-0-kind": "condition",
        "node-0-field": "description",
        "node-0-was": "description",
        "node-0-op": "contains",
        "node-0-value": "salary",
    }
    response = desk.client_for(staff_admin).post(
        "/automation/preview/", data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response.context["result"].count == 0
    assert f"/{hr_case.number}/" not in response.content.decode()


def test_the_run_log_leaves_out_runs_on_tickets_the_admin_cannot_see(
    desk: Desk, staff_admin: Any, hr_case: Ticket, incident: Ticket
) -> None:
    rule = Rule.objects.create(name="R", events=["created"], actions=[])
    RuleRun.objects.create(rule=rule, ticket=hr_case, ok=True, changes=["salary: +1"])
    RuleRun.objects.create(rule=rule, ticket=incident, ok=True, changes=["tags: +vpn"])
    page = desk.client_for(staff_admin).get(f"/automation/{rule.pk}/runs/").content.decode()
    assert f"/{incident.number}/" in page and f"/{hr_case.number}/" not in page
    assert "salary" not in page
    runs = get(token_client(staff_admin), f"/automation/rules/{rule.pk}/runs").json()
    assert [r["ticket"] for r in runs] == [incident.number]
    everything = get(token_client(desk.admin), f"/automation/rules/{rule.pk}/runs").json()
    assert {r["ticket"] for r in everything} == {incident.number, hr_case.number}
