"""/api/v1/problems/: per role, 404s for invisible problems, 422s for bad input."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tuki.lib.testing import assert_same_count, query_budget
from tuki.problems import services
from tuki.problems.models import AnalysisNote
from tuki.problems.tests.conftest import make_incident, start

pytestmark = pytest.mark.django_db

API = "/api/v1/problems"
LIST_QUERIES = 8


def call(client: Client, method: str, url: str, data: object = None):
    kwargs: dict = {"content_type": "application/json"}
    if data is not None:
        kwargs["data"] = json.dumps(data)
    return getattr(client, method)(url, **kwargs)


class TestWhoMayCall:
    @pytest.mark.parametrize("who", ["requester", "colleague", "outsider"])
    def test_requesters_are_refused_everything(self, desk, board, who):
        client = desk.client_for(getattr(desk, who))
        pk = board.problem.pk
        assert call(client, "get", f"{API}/").status_code == 404
        assert call(client, "get", f"{API}/{pk}").status_code == 404
        assert call(client, "get", f"{API}/radar").status_code == 404
        assert call(client, "post", f"{API}/{pk}/notes", {"body": "x"}).status_code == 404
        assert not AnalysisNote.objects.exists()

    def test_anonymous_callers_are_refused(self, desk, board):
        assert call(Client(), "get", f"{API}/").status_code == 401

    def test_an_agent_of_another_group_gets_404s_for_the_desks_problem(self, desk, board):
        client = desk.client_for(desk.other_agent)
        pk = board.problem.pk
        assert call(client, "get", f"{API}/{pk}").status_code == 404
        assert call(client, "patch", f"{API}/{pk}", {"root_cause": "x"}).status_code == 404
        assert call(client, "post", f"{API}/{pk}/known-error").status_code == 404
        assert call(client, "get", f"{API}/").json()["items"] == []

    @pytest.mark.parametrize("who", ["operator", "admin"])
    def test_agents_of_its_groups_and_administrators_read_it(self, desk, board, who):
        body = call(desk.client_for(getattr(desk, who)), "get", f"{API}/{board.problem.pk}").json()
        assert body["number"] == board.problem.ticket.number
        assert {i["number"] for i in body["incidents"]} == {board.first.number, board.second.number}

    def test_linking_an_incident_the_caller_may_not_see_is_a_404(self, desk, board):
        hidden = make_incident(desk, "Theirs", requester=desk.outsider)
        client = desk.client_for(desk.other_agent)
        own = services.create_problem(desk.other_agent, title="Apps problem")
        response = call(client, "post", f"{API}/{own.pk}/incidents", {"incidents": [hidden.pk]})
        assert response.status_code == 404


class TestEndpoints:
    def test_the_list_keeps_its_budget(self, desk, board):
        client = desk.client_for(desk.operator)
        call(client, "get", f"{API}/")
        with query_budget(LIST_QUERIES) as few:
            call(client, "get", f"{API}/")
        for n in range(5):
            services.create_problem(
                desk.operator, title=f"P{n}", incidents=[make_incident(desk, f"I{n}")]
            )
        with query_budget(LIST_QUERIES) as many:
            items = call(client, "get", f"{API}/").json()["items"]
        assert_same_count(few, many)
        assert items[-1]["incident_count"] == 2

    def test_update_note_known_error_and_resolve(self, desk, board):
        client = desk.client_for(desk.operator)
        pk = board.problem.pk
        body = call(
            client, "patch", f"{API}/{pk}", {"workaround": "Use a link", "quiet_days": 3}
        ).json()
        assert body["workaround"] == "Use a link" and body["quiet_days"] == 3
        assert (
            call(
                client, "post", f"{API}/{pk}/notes", {"method": "fishbone", "body": "People"}
            ).status_code
            == 201
        )
        body = call(client, "post", f"{API}/{pk}/known-error").json()
        assert body["known_error"] and body["article"].startswith("KB-")
        known = call(client, "get", f"{API}/known-errors?q=link").json()
        assert [k["number"] for k in known] == [board.problem.ticket.number]
        start(desk, board.problem)
        body = call(
            client, "post", f"{API}/{pk}/resolve", {"code": "solved", "incidents": "resolve"}
        ).json()
        assert body["status_category"] == "resolved"
        assert all(i["status"] == "Resolved" for i in body["incidents"])

    def test_linking_in_bulk(self, desk, board):
        a, b = make_incident(desk, "A"), make_incident(desk, "B")
        client = desk.client_for(desk.operator)
        response = call(
            client, "post", f"{API}/{board.problem.pk}/incidents", {"incidents": [a.pk, b.pk]}
        )
        assert response.json() == {"linked": 2}

    def test_radar_proposals(self, desk):
        wave = [make_incident(desk, f"VPN disconnects {n}", "VPN client drops.") for n in range(3)]
        proposals = call(desk.client_for(desk.operator), "get", f"{API}/radar").json()
        assert [{i["id"] for i in p["incidents"]} for p in proposals] == [{t.pk for t in wave}]


class TestBadInput:
    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"root_cause_category": "gremlins"}, "root_cause_category"),
            ({"quiet_days": 9999}, "quiet_days"),
        ],
    )
    def test_bad_fields_are_422s_naming_them(self, desk, board, payload, field):
        response = call(
            desk.client_for(desk.operator), "patch", f"{API}/{board.problem.pk}", payload
        )
        assert response.status_code == 422
        assert field in json.dumps(response.json()["detail"])

    def test_a_known_error_without_text_is_a_422_on_the_workaround(self, desk, board):
        response = call(
            desk.client_for(desk.operator), "post", f"{API}/{board.problem.pk}/known-error"
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == "workaround"

    def test_an_empty_note_is_a_422(self, desk, board):
        response = call(
            desk.client_for(desk.operator), "post", f"{API}/{board.problem.pk}/notes", {"body": ""}
        )
        assert response.status_code == 422
        assert not AnalysisNote.objects.exists()

    def test_resolving_a_new_problem_is_a_422_and_moves_nothing(self, desk, board):
        response = call(
            desk.client_for(desk.operator),
            "post",
            f"{API}/{board.problem.pk}/resolve",
            {"code": "solved"},
        )
        assert response.status_code == 422
        board.first.refresh_from_db()
        assert board.first.is_active
