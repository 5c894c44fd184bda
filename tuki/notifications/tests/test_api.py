"""/api/v1/notifications/: my list (keyset pages), marking read, preferences; by role."""

import pytest

from tuki.notifications import services
from tuki.notifications.models import Notification
from tuki.tickets.tests.test_api_support import (
    API,
    client_as,
    error_fields,
    get,
    post,
    token_client,
)

AGENTS = ["operator", "specialist", "other_agent", "admin"]
REQUESTERS = ["requester", "colleague", "outsider"]
ENDPOINTS = [
    ("get", "/notifications/", None),
    ("post", "/notifications/read", {"all": True}),
    ("get", "/notifications/preferences", None),
    ("put", "/notifications/preferences", {"items": []}),
]


def call(client, method, path, body=None):
    if method == "get":
        return client.get(API + path)
    return getattr(client, method)(API + path, data=body or {}, content_type="application/json")


def mine(desk, who, text="x", ticket=None):
    return services.notify([getattr(desk, who)], ticket, "rule", text)[0]


class TestRoles:
    @pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
    @pytest.mark.parametrize("who", ["anonymous", "bad_token"])
    def test_callers_who_are_not_signed_in_are_refused(self, desk, who, method, path, body):
        assert call(client_as(desk, who), method, path, body).status_code == 401

    @pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
    @pytest.mark.parametrize("who", REQUESTERS)
    def test_requesters_are_forbidden(self, desk, who, method, path, body):
        assert call(client_as(desk, who), method, path, body).status_code == 403

    @pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
    @pytest.mark.parametrize("who", AGENTS)
    def test_agents_and_administrators_may(self, desk, who, method, path, body):
        assert call(client_as(desk, who), method, path, body).status_code == 200

    @pytest.mark.parametrize("who", REQUESTERS)
    def test_requesters_cannot_mark_one(self, desk, who):
        n = mine(desk, "lead")
        assert post(client_as(desk, who), f"/notifications/{n.pk}/read").status_code == 403

    def test_the_browser_session_works_too(self, desk):
        mine(desk, "lead")
        response = desk.client_for(desk.lead).get(API + "/notifications/")
        assert response.status_code == 200 and len(response.json()["items"]) == 1


class TestList:
    def test_only_mine_newest_first_with_the_ticket_number(self, desk, escalated):
        mine(desk, "specialist", "theirs")
        services.notify([desk.lead], escalated, "mention", "a", actor=desk.operator)
        mine(desk, "lead", "b")
        body = get(token_client(desk.lead), "/notifications/").json()
        assert [i["text"] for i in body["items"]] == ["b", "a"]
        first, second = body["items"][1], body["items"][0]
        assert first["ticket"] == escalated.number and first["actor"] == "Olli Operator"
        assert first["kind"] == "mention" and first["read_at"] is None
        assert second["ticket"] is None and body["unread_count"] == 2

    def test_pages_follow_the_cursor_without_gaps_or_repeats(self, desk):
        made = [mine(desk, "lead", str(i)) for i in range(7)]
        client = token_client(desk.lead)
        seen, cursor, pages = [], None, 0
        while True:
            params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
            body = get(client, "/notifications/", **params).json()
            seen += [i["id"] for i in body["items"]]
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert pages == 3 and seen == sorted((n.pk for n in made), reverse=True)

    def test_filter_unread_or_read(self, desk):
        a = mine(desk, "lead", "a")
        mine(desk, "lead", "b")
        services.mark_read(desk.lead, [a.pk])
        client = token_client(desk.lead)
        assert [
            i["text"] for i in get(client, "/notifications/", unread="true").json()["items"]
        ] == ["b"]
        assert [
            i["text"] for i in get(client, "/notifications/", unread="false").json()["items"]
        ] == ["a"]

    @pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"cursor": "x"}])
    def test_bad_parameters_are_a_422(self, desk, params):
        assert get(token_client(desk.lead), "/notifications/", **params).status_code == 422


class TestMarkRead:
    def test_some_of_mine(self, desk):
        a = mine(desk, "lead")
        mine(desk, "lead")
        theirs = mine(desk, "specialist")
        body = post(
            token_client(desk.lead), "/notifications/read", {"ids": [a.pk, theirs.pk]}
        ).json()
        assert body == {"marked": 1, "unread_count": 1}
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_all_of_mine(self, desk):
        mine(desk, "lead"), mine(desk, "lead")
        body = post(token_client(desk.lead), "/notifications/read", {"all": True}).json()
        assert body == {"marked": 2, "unread_count": 0}

    def test_one(self, desk):
        n = mine(desk, "lead")
        response = post(token_client(desk.lead), f"/notifications/{n.pk}/read")
        assert response.status_code == 200 and response.json()["read_at"] is not None

    @pytest.mark.parametrize("who", ["specialist", "other_agent", "admin"])
    def test_someone_elses_is_not_found(self, desk, who):
        n = mine(desk, "lead")
        assert post(client_as(desk, who), f"/notifications/{n.pk}/read").status_code == 404
        n.refresh_from_db()
        assert n.read_at is None

    def test_a_bad_body_is_a_422(self, desk):
        response = post(token_client(desk.lead), "/notifications/read", {"ids": ["x"]})
        assert response.status_code == 422


class TestPreferences:
    def test_every_kind_with_defaults(self, desk):
        body = get(token_client(desk.lead), "/notifications/preferences").json()
        kinds = {p["kind"]: p for p in body}
        assert len(kinds) == 13  # with swarming's consulted and thread_message
        assert kinds["mention"] == {
            "kind": "mention",
            "label": "Someone mentions me in a note",
            "in_app": True,
            "email": True,
        }

    def test_change_some(self, desk):
        client = token_client(desk.lead)
        response = client.put(
            API + "/notifications/preferences",
            data={"items": [{"kind": "group_ticket", "in_app": False, "email": True}]},
            content_type="application/json",
        )
        assert response.status_code == 200
        assert services.preferences_of(desk.lead)["group_ticket"] == (False, True)

    def test_an_unknown_kind_is_a_422_and_nothing_changes(self, desk):
        client = token_client(desk.lead)
        response = client.put(
            API + "/notifications/preferences",
            data={
                "items": [
                    {"kind": "mention", "in_app": False, "email": False},
                    {"kind": "gossip", "in_app": True, "email": True},
                ]
            },
            content_type="application/json",
        )
        assert response.status_code == 422
        assert "kind" in error_fields(response)
        assert services.preferences_of(desk.lead)["mention"] == (True, True)
        assert not Notification.objects.exists()
