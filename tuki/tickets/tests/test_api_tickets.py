"""Listing, reading, registering and editing tickets over the API."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tuki.lib.testing import Queries, assert_same_count, query_budget
from tuki.tickets import services
from tuki.tickets.models import Channel, Ticket
from tuki.tickets.tests.test_api_support import error_fields, get, patch, post, token_client


def make_tickets(desk, count: int, **extra) -> list[Ticket]:
    return [
        services.create_ticket(
            desk.operator,
            title=f"Ticket {i}",
            requester=desk.requester,
            category=desk.vpn,
            tags=["vpn", "laptop"],
            **extra,
        )
        for i in range(count)
    ]


class TestList:
    def test_pages_follow_the_cursor_newest_first_without_gaps_or_repeats(self, desk):
        made = make_tickets(desk, 7)
        client = token_client(desk.operator)
        seen, cursor, pages = [], None, 0
        while True:
            params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
            body = get(client, "/tickets", **params).json()
            seen += [t["id"] for t in body["items"]]
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert pages == 3
        assert seen == sorted((t.pk for t in made), reverse=True)

    def test_a_full_last_page_says_there_is_nothing_more(self, desk):
        make_tickets(desk, 3)
        body = get(token_client(desk.operator), "/tickets", limit=3).json()
        assert len(body["items"]) == 3
        assert body["next_cursor"] is None

    def test_the_limit_is_capped_at_200(self, desk):
        response = get(token_client(desk.operator), "/tickets", limit=201)
        assert error_fields(response) == ["limit"]

    def test_the_query_count_does_not_grow_with_the_number_of_tickets(self, desk):
        client = desk.client_for(desk.operator)

        def queries() -> Queries:
            with query_budget() as captured:
                assert get(client, "/tickets", limit=200).status_code == 200
            return captured

        make_tickets(desk, 3)
        few = queries()
        make_tickets(desk, 27)
        services.add_comment(desk.operator, Ticket.objects.first(), "Hello", internal=True)
        assert_same_count(few, queries())

    def test_filters(self, desk, escalated):
        other = services.create_ticket(
            desk.operator, title="New laptop", requester=desk.colleague, kind="request"
        )
        services.take_ticket(desk.specialist, escalated)
        client = token_client(desk.specialist)
        operator = token_client(desk.operator)

        def numbers(client, **params) -> list[str]:
            response = get(client, "/tickets", **params)
            assert response.status_code == 200, response.content
            return [t["number"] for t in response.json()["items"]]

        assert numbers(operator, kind="request") == [other.number]
        assert numbers(operator, status="in_progress") == [escalated.number]
        assert numbers(operator, status_category="new") == [other.number]
        assert numbers(operator, priority=escalated.priority) == [escalated.number]
        assert numbers(operator, group=desk.network_hel.pk) == [escalated.number]
        assert numbers(client, assignee="me") == [escalated.number]
        assert numbers(operator, assignee="me") == []
        assert numbers(operator, assignee=desk.specialist.pk) == [escalated.number]
        assert numbers(operator, requester=desk.colleague.pk) == [other.number]
        assert numbers(operator, organisation=desk.acme.pk) == [other.number, escalated.number]
        assert numbers(operator, q="laptop") == [other.number]
        assert numbers(operator, q=escalated.number) == [escalated.number]
        future = (timezone.now() + timezone.timedelta(hours=1)).isoformat()
        assert numbers(operator, updated_since=future) == []

    @pytest.mark.parametrize(
        "params, field",
        [
            ({"assignee": "someone"}, "assignee"),
            ({"kind": "saga"}, "kind"),
            ({"priority": 9}, "priority"),
            ({"updated_since": "yesterday"}, "updated_since"),
            ({"cursor": "abc"}, "cursor"),
            ({"q": "a\x00b"}, "q"),
        ],
    )
    def test_bad_filters_name_the_parameter(self, desk, params, field):
        assert error_fields(get(token_client(desk.operator), "/tickets", **params)) == [field]


class TestRead:
    def test_the_ticket_shows_its_people_status_and_counts(self, desk, escalated):
        services.add_comment(desk.specialist, escalated, "Router dead", internal=True)
        services.add_comment(desk.operator, escalated, "We are on it")
        body = get(token_client(desk.operator), f"/tickets/{escalated.number}").json()
        assert body["status"] == {"key": "assigned", "name": "Assigned", "category": "open"}
        assert body["owner_group"]["name"] == "Service Desk"
        assert body["group"]["name"] == "Network Helsinki"
        assert body["requester"]["id"] == desk.requester.pk
        assert body["organisation"]["name"] == "Acme Oy"
        assert body["category"]["path"] == "Network › VPN"
        assert body["channel"] == "phone"
        assert body["comment_count"] == 2

    def test_the_requester_counts_only_public_comments(self, desk, escalated):
        services.add_comment(desk.specialist, escalated, "Router dead", internal=True)
        body = get(token_client(desk.requester), f"/tickets/{escalated.number}").json()
        assert body["comment_count"] == 0

    def test_an_unknown_number_is_a_404(self, desk):
        assert get(token_client(desk.admin), "/tickets/INC-999").status_code == 404
        assert get(token_client(desk.admin), "/tickets/XYZ-1").status_code == 404

    def test_status_names_follow_the_callers_language(self, desk, escalated):
        desk.operator.language = "fi"
        desk.operator.save()
        response = get(token_client(desk.operator), f"/tickets/{escalated.number}")
        assert response.status_code == 200
        assert response["Content-Language"] == "fi"


class TestCreate:
    def test_the_operator_registers_a_phone_call_for_a_requester(self, desk):
        response = post(
            token_client(desk.operator),
            "/tickets",
            {
                "title": "Outlook crashes",
                "requester": desk.requester.pk,
                "category": desk.vpn.pk,
                "impact": 1,
                "urgency": 1,
                "channel": "phone",
                "tags": ["Outlook"],
            },
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["number"].startswith("INC-")
        assert body["priority"] == 1
        assert body["channel"] == "phone"
        assert body["tags"] == ["outlook"]
        assert body["owner"]["id"] == desk.operator.pk
        assert body["requester"]["id"] == desk.requester.pk

    def test_a_requester_files_for_themselves_and_the_channel_defaults_to_api(self, desk):
        response = post(token_client(desk.requester), "/tickets", {"title": "Help"})
        assert response.status_code == 201
        body = response.json()
        assert body["requester"]["id"] == desk.requester.pk
        assert body["channel"] == Channel.API
        assert body["impact"] == 3
        # Requesters cannot set impact (nor anything the portal does not ask):
        # test_api_bad_input.py, TestRequesterFields.
        refused = post(token_client(desk.requester), "/tickets", {"title": "Help", "impact": 1})
        assert error_fields(refused) == ["impact"]

    def test_a_requester_cannot_file_for_someone_else(self, desk):
        response = post(
            token_client(desk.requester), "/tickets", {"title": "x", "requester": desk.colleague.pk}
        )
        assert response.status_code == 403
        assert not Ticket.objects.exists()

    def test_escalating_on_creation_with_an_assignee(self, desk):
        response = post(
            token_client(desk.operator),
            "/tickets",
            {"title": "Switch down", "group": desk.network_hel.pk, "assignee": desk.specialist.pk},
        )
        assert response.status_code == 201
        assert response.json()["assignee"]["id"] == desk.specialist.pk

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"title": "   "}, "title"),
            ({}, "title"),
            ({"title": "x", "impact": 7}, "impact"),
            ({"title": "x", "urgency": 0}, "urgency"),
            ({"title": "x", "kind": "saga"}, "kind"),
            ({"title": "x", "channel": "pigeon"}, "channel"),
            ({"title": "x", "category": 9999}, "category"),
            ({"title": "x", "group": 9999}, "group"),
            ({"title": "x", "requester": 9999}, "requester"),
            ({"title": "x", "assignee": 9999}, "assignee"),
            ({"title": "x", "tags": "not-a-list"}, "tags"),
            ({"title": "nul\x00byte"}, "title"),
            ({"title": "x", "tags": ["ok", "n\x00l"]}, 1),
        ],
    )
    def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(self, desk, body, field):
        response = post(token_client(desk.operator), "/tickets", body)
        assert error_fields(response) == [str(field)]
        assert not Ticket.objects.exists()

    def test_an_assignee_outside_the_group_is_refused(self, desk):
        response = post(
            token_client(desk.operator),
            "/tickets",
            {"title": "x", "group": desk.network_hel.pk, "assignee": desk.other_agent.pk},
        )
        detail = response.json()["detail"][0]
        assert error_fields(response) == ["assignee"]
        assert detail["loc"] == ["body", "assignee"]
        assert detail["type"] == "not_member"
        assert "not a member" in detail["msg"]

    def test_malformed_json_is_refused_without_a_500(self, desk):
        response = token_client(desk.operator).post(
            "/api/v1/tickets", data="{not json", content_type="application/json"
        )
        assert 400 <= response.status_code < 500


class TestUpdate:
    def test_fields_sent_change_and_others_stay(self, desk, escalated):
        response = patch(
            token_client(desk.operator),
            f"/tickets/{escalated.number}",
            {"impact": 1, "urgency": 1, "tags": ["vip"], "reason": "CEO"},
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["priority"], body["tags"], body["title"]) == (1, ["vip"], escalated.title)
        event = escalated.events.get(field="impact")
        assert event.reason == "CEO"

    def test_category_null_clears_it(self, desk, escalated):
        response = patch(
            token_client(desk.operator), f"/tickets/{escalated.pk}", {"category": None}
        )
        assert response.json()["category"] is None

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"title": ""}, "title"),
            ({"title": None}, "title"),
            ({"impact": 7}, "impact"),
            ({"category": 9999}, "category"),
            ({"requester": 9999}, "requester"),
            ({"restricted": None}, "restricted"),
            ({"kind": "saga"}, "kind"),
        ],
    )
    def test_bad_input_is_a_422_naming_the_field(self, desk, escalated, body, field):
        response = patch(token_client(desk.operator), f"/tickets/{escalated.number}", body)
        assert error_fields(response) == [field]
        escalated.refresh_from_db()
        assert escalated.title == "VPN drops every few minutes"
