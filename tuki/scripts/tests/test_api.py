"""The scripts API: published scripts, and a run driven step by step to its ticket."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tuki.conftest import Desk
from tuki.scripts.models import RunOutcome, ScriptRun
from tuki.scripts.tests.helpers import build_vpn_script
from tuki.tickets import services as ticket_services

pytestmark = pytest.mark.django_db
API = "/api/v1/scripts"


def post(client: Client, url: str, data: object = None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


@pytest.mark.parametrize(
    ("role", "status"),
    [("operator", 200), ("specialist", 200), ("requester", 403), ("outsider", 403)],
)
def test_list_per_role(desk: Desk, role: str, status: int) -> None:
    build_vpn_script(desk)
    build_vpn_script(desk, publish=False)  # a draft only: not listed
    response = desk.client_for(getattr(desk, role)).get(f"{API}/")
    assert response.status_code == status
    if status == 200:
        assert [s["version"] for s in response.json()] == [1]


def test_anonymous_is_refused(desk: Desk) -> None:
    assert Client().get(f"{API}/").status_code == 401


def test_the_detail_has_the_published_tree(desk: Desk) -> None:
    script = build_vpn_script(desk)
    body = desk.client_for(desk.operator).get(f"{API}/{script.pk}").json()
    assert body["tree"]["root"] == "n1" and body["tree"]["nodes"]["n4"]["type"] == "resolve"


def test_a_run_through_the_api(desk: Desk) -> None:
    script = build_vpn_script(desk)
    client = desk.client_for(desk.operator)
    started = post(client, f"{API}/{script.pk}/runs")
    assert started.status_code == 201 and started.json()["node"] == "n1"
    run_id = started.json()["id"]
    assert post(client, f"{API}/runs/{run_id}/answer", {"answer": 1}).json()["node"] == "n5"
    assert post(client, f"{API}/runs/{run_id}/back").json()["node"] == "n1"
    bad = post(client, f"{API}/runs/{run_id}/answer", {"answer": 9})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "answer"
    post(client, f"{API}/runs/{run_id}/answer", {"answer": 1})
    ticket = ticket_services.create_ticket(desk.operator, title="VPN", requester=desk.requester)
    done = post(client, f"{API}/runs/{run_id}/finish", {"ticket": ticket.number})
    assert done.status_code == 200 and done.json()["outcome"] == RunOutcome.ESCALATE
    assert done.json()["ticket"] == ticket.number


def test_another_operators_run_is_a_404(desk: Desk) -> None:
    script = build_vpn_script(desk)
    run_id = post(desk.client_for(desk.operator), f"{API}/{script.pk}/runs").json()["id"]
    client = desk.client_for(desk.specialist)
    assert client.get(f"{API}/runs/{run_id}").status_code == 404
    assert post(client, f"{API}/runs/{run_id}/abandon").status_code == 404
    assert ScriptRun.objects.get().outcome == ""
