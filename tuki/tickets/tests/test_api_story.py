"""The whole life of an incident, told only through the API."""

from __future__ import annotations

from tuki.tickets.tests.test_api_support import get, post, token_client


def test_phone_call_to_closure_over_the_api(desk):
    operator = token_client(desk.operator)
    specialist = token_client(desk.specialist)
    requester = token_client(desk.requester)

    # 1. The operator registers the call for the requester.
    created = post(
        operator,
        "/tickets",
        {
            "title": "VPN drops every few minutes",
            "description": "Since this morning.",
            "requester": desk.requester.pk,
            "category": desk.vpn.pk,
            "impact": 2,
            "urgency": 2,
            "channel": "phone",
        },
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    assert created.json()["channel"] == "phone"

    # 2. First line cannot fix it: escalate to Network Helsinki.
    escalated = post(
        operator,
        f"/tickets/{number}/escalate",
        {"group": desk.network_hel.pk, "reason": "Needs the network team"},
    ).json()
    assert escalated["group"]["name"] == "Network Helsinki"
    assert escalated["owner_group"]["name"] == "Service Desk"

    # 3. The specialist finds it in their queue, takes it, notes and resolves.
    queue = get(specialist, "/tickets", group=desk.network_hel.pk, status_category="open")
    assert [t["number"] for t in queue.json()["items"]] == [number]
    assert (
        post(specialist, f"/tickets/{number}/take").json()["assignee"]["id"] == desk.specialist.pk
    )
    note = post(
        specialist,
        f"/tickets/{number}/comments",
        {"body": "Port 12 flapping; replaced.", "internal": True},
    )
    assert note.status_code == 201
    resolved = post(
        specialist,
        f"/tickets/{number}/resolve",
        {"code": "solved", "resolution": "Replaced the switch port."},
    ).json()
    assert resolved["status"]["category"] == "resolved"

    # 4. The owning desk tells the requester.
    reply = post(
        operator, f"/tickets/{number}/comments", {"body": "Fixed: please confirm it works."}
    )
    assert reply.status_code == 201

    # 5. The requester reads only the public reply, then confirms.
    comments = get(requester, f"/tickets/{number}/comments").json()
    assert [c["body"] for c in comments] == ["Fixed: please confirm it works."]
    assert get(requester, f"/tickets/{number}/events").status_code == 403
    closed = post(requester, f"/tickets/{number}/close").json()
    assert closed["status"]["category"] == "closed"

    # The timeline the agents see tells the same story.
    actions = [e["action"] for e in get(operator, f"/tickets/{number}/events").json()]
    for action in ("created", "escalated", "assigned", "note", "resolution", "reply"):
        assert action in actions
    assert actions[-1] == "status"
