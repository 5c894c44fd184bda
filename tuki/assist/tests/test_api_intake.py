"""POST /api/v1/assist/intake: what Log a call shows for a ticket not yet registered, over
REST, per role, from what the asking agent may see; bad input is a 422 naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tuki.accounts.models import User
from tuki.assist.models import Suggestion
from tuki.assist.tests.test_intake import _open, trained  # noqa: F401  # the fixture
from tuki.conftest import Desk
from tuki.lib.testing import query_budget
from tuki.tickets.models import Ticket

URL = "/api/v1/assist/intake"


def _post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(URL, body, content_type="application/json")


def _body(desk: Desk, **extra: Any) -> dict[str, Any]:
    return {"requester": desk.requester.pk, "title": "VPN drops again", **extra}


def test_the_suggestions_and_their_reason(
    desk: Desk,
    trained: list[Ticket],  # noqa: F811  # the fixture
) -> None:
    response = _post(desk.client_for(desk.operator), _body(desk, impact=2, urgency=2))
    assert response.status_code == 200
    suggestions = {s["kind"]: s for s in response.json()["suggestions"]}
    group = suggestions["group"]
    assert group["value"] == str(desk.network_hel.pk) and group["label"] == "Network Helsinki"
    assert group["top"][0] == {
        "value": group["value"],
        "label": "Network Helsinki",
        "confidence": group["confidence"],
    }
    vpn = {t.number for t in trained if t.title.startswith("VPN")}
    assert group["reason"] and set(group["reason"]) <= vpn
    assert Suggestion.objects.count() == 0  # nothing is logged: nothing was registered


def test_the_caller_s_open_ticket_is_a_duplicate(
    desk: Desk,
    trained: list[Ticket],  # noqa: F811  # the fixture
) -> None:
    mine = _open(desk, "VPN drops every morning", requester=desk.requester)
    body = _post(desk.client_for(desk.operator), _body(desk)).json()
    found = {d["number"]: d for d in body["duplicates"]}
    assert found[mine.number]["own"] is True and found[mine.number]["outage"] is False
    assert found[mine.number]["title"] == "VPN drops every morning"
    assert found[mine.number]["status"] == mine.status.key


def test_an_agent_gets_only_what_they_may_see(
    desk: Desk,
    trained: list[Ticket],  # noqa: F811  # the fixture
) -> None:
    hidden = _open(desk, "VPN drops every morning", requester=desk.requester)
    hidden.group = desk.network_hel
    hidden.save(update_fields=["group"])
    assert not Ticket.objects.visible_to(desk.other_agent).filter(pk=hidden.pk).exists()
    body = _post(desk.client_for(desk.other_agent), _body(desk)).json()
    assert hidden.number not in {d["number"] for d in body["duplicates"]}
    unseen = {t.number for t in trained if t.group_id == desk.network_hel.pk}
    assert not {n for s in body["suggestions"] for n in s["reason"]} & unseen


@pytest.mark.parametrize("role", ["requester", "outsider"])
def test_requesters_get_a_404(desk: Desk, role: str) -> None:
    assert _post(desk.client_for(getattr(desk, role)), _body(desk)).status_code == 404


def test_an_anonymous_caller_is_refused(desk: Desk) -> None:
    assert _post(Client(), _body(desk)).status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requester": 99999999}, "requester"),
        ({"category": 99999999}, "category"),
        ({"impact": 7}, "impact"),
        ({"kind": "rumour"}, "kind"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    desk: Desk, change: dict[str, Any], field: str
) -> None:
    response = _post(desk.client_for(desk.operator), _body(desk) | change)
    assert response.status_code == 422
    assert field in str(response.json()["detail"][0]["loc"])


def test_a_caller_the_agent_may_not_pick_is_a_422(desk: Desk) -> None:
    """Only people the agent may pick at Log a call (accounts.directory: active ones; an
    external agent sees fewer): the endpoint never says whether anyone else exists."""
    gone = User.objects.create_user(
        email="gone@acme.fi", password="x", full_name="Gone Person", is_active=False
    )
    response = _post(desk.client_for(desk.operator), _body(desk, requester=gone.pk))
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "requester"


def test_the_endpoint_keeps_to_a_fixed_query_budget(
    desk: Desk,
    trained: list[Ticket],  # noqa: F811  # the fixture
) -> None:
    client = desk.client_for(desk.operator)
    _post(client, _body(desk, category=desk.vpn.pk))  # the learners unpickled once
    with query_budget(BUDGET) as few:
        assert _post(client, _body(desk, category=desk.vpn.pk)).status_code == 200
    for n in range(3):
        _open(desk, f"VPN drops again {n}", requester=desk.requester)
    with query_budget(BUDGET) as many:
        assert _post(client, _body(desk, category=desk.vpn.pk)).status_code == 200
    assert len(few) == len(many)


# The token's user (2), the caller, the category; the suggestions (the models, the groups,
# the reason tickets, the labels, the services); the duplicates (as call_similar: the
# category family, the outages, the candidates' window and each kind of candidate).
BUDGET = 24
