"""Every ticket endpoint against every role: who gets in, who gets a 404, who a 403 or 422."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tuki.tickets import services
from tuki.tickets.models import Channel, Ticket
from tuki.tickets.tests.test_api_support import API, ROLES, client_as

# What an invisible ticket and a missing login look like, whatever the endpoint.
UNSEEN = {"anonymous": 401, "bad_token": 401, "colleague": 404, "outsider": 404, "other_agent": 404}


def expect(**seen: int) -> dict[str, int]:
    return {**UNSEEN, **seen}


AGENT_WRITE = expect(requester=403, operator=200, specialist=200, admin=200)
READ = expect(requester=200, operator=200, specialist=200, admin=200)


@pytest.fixture
def sibling(desk: Any) -> Ticket:
    """A second ticket of the same requester, worked by Network Helsinki too."""
    return services.create_ticket(
        desk.operator,
        title="Wi-Fi slow in meeting room",
        requester=desk.requester,
        group=desk.network_hel,
        channel=Channel.PHONE,
    )


def call(client: Any, method: str, path: str, body: Any = None) -> Any:
    if method == "get":
        return client.get(API + path)
    if method == "upload":
        upload = SimpleUploadedFile("log.txt", b"VPN log\n", content_type="text/plain")
        return client.post(API + path, {"attachments": [upload]})
    send = getattr(client, method)
    return send(API + path, data=body or {}, content_type="application/json")


def body_for(name: str, desk: Any, sibling: Ticket) -> Any:
    bodies = {
        "patch": {"title": "VPN drops, renamed"},
        "status": {"status": "in_progress", "reason": "Looking"},
        "resolve": {"code": "solved", "resolution": "Replaced the router"},
        "assign": {"assignee": desk.specialist.pk},
        "escalate": {"to_manager": True, "reason": "VIP"},
        "reply": {"body": "We are on it."},
        "note": {"body": "Router in B2 looks dead.", "internal": True},
        "link": {"target": sibling.number, "type": "related"},
        "merge": {"into": sibling.number},
    }
    return bodies.get(name)


# name: (method, path after /tickets/<number>, expected status per role)
ENDPOINTS: dict[str, tuple[str, str, dict[str, int]]] = {
    "detail": ("get", "", READ),
    "patch": ("patch", "", AGENT_WRITE),
    "status": ("post", "/status", AGENT_WRITE),
    "resolve": ("post", "/resolve", AGENT_WRITE),
    "assign": ("post", "/assign", AGENT_WRITE),
    # Taking needs membership of the working group: only the specialist is in Network.
    "take": ("post", "/take", expect(requester=403, operator=422, specialist=200, admin=422)),
    "escalate": ("post", "/escalate", AGENT_WRITE),
    "comments": ("get", "/comments", READ),
    # Network Helsinki may not write to requesters: the specialist is told to add a note.
    "reply": ("post", "/comments", expect(requester=201, operator=201, specialist=422, admin=201)),
    "note": ("post", "/comments", expect(requester=403, operator=201, specialist=201, admin=201)),
    "events": ("get", "/events", AGENT_WRITE),
    "attachments": ("get", "/attachments", READ),
    "upload": (
        "upload",
        "/attachments",
        expect(requester=201, operator=201, specialist=201, admin=201),
    ),
    "link": ("post", "/links", expect(requester=403, operator=201, specialist=201, admin=201)),
    "merge": ("post", "/merge", AGENT_WRITE),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_ticket_endpoint_per_role(desk, escalated, sibling, name, role):
    method, suffix, expected = ENDPOINTS[name]
    client = client_as(desk, role)
    response = call(
        client, method, f"/tickets/{escalated.number}{suffix}", body_for(name, desk, sibling)
    )
    assert response.status_code == expected[role], response.content
    assert response["Content-Type"].startswith("application/json")


@pytest.fixture
def resolved(desk, escalated) -> Ticket:
    return services.resolve_ticket(desk.specialist, escalated, code="solved", resolution="Fixed")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["reopen", "close"])
def test_reopen_and_close_per_role(desk, resolved, action, role):
    # Requesters confirm or reopen their own resolved tickets; agents may do both too.
    expected = expect(requester=200, operator=200, specialist=200, admin=200)[role]
    response = call(client_as(desk, role), "post", f"/tickets/{resolved.number}/{action}")
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("role", ROLES)
def test_ticket_by_id_is_the_same_as_by_number(desk, escalated, role):
    by_id = call(client_as(desk, role), "get", f"/tickets/{escalated.pk}")
    assert by_id.status_code == READ[role]
    if by_id.status_code == 200:
        assert by_id.json()["number"] == escalated.number


@pytest.mark.parametrize("role", ROLES)
def test_attachment_download_per_role(desk, escalated, role):
    (attachment,) = services.add_attachments(
        desk.operator, escalated, [services.Upload("screenshot.txt", b"hello")]
    )
    response = call(client_as(desk, role), "get", f"/attachments/{attachment.pk}")
    assert response.status_code == READ[role]
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == b"hello"


@pytest.mark.parametrize("role", ROLES)
def test_ticket_list_per_role(desk, escalated, role):
    response = call(client_as(desk, role), "get", "/tickets")
    if role in ("anonymous", "bad_token"):
        assert response.status_code == 401
        return
    assert response.status_code == 200
    numbers = [t["number"] for t in response.json()["items"]]
    assert numbers == ([] if UNSEEN.get(role) == 404 else [escalated.number])


@pytest.mark.parametrize("role", ROLES)
def test_creating_a_ticket_per_role(desk, role):
    response = call(client_as(desk, role), "post", "/tickets", {"title": "Printer jam"})
    assert response.status_code == (401 if role in UNSEEN and UNSEEN[role] == 401 else 201)
