"""Input the database cannot take is a 422 naming the field, never a 500 or a half-write:
numbers beyond 64 bits, lone surrogates, texts too long, digits that are not ASCII. And a
requester sets over the API only what the portal lets them."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tuki.accounts.tokens import issue_token
from tuki.knowledge.models import Article
from tuki.lib.bounds import MAX_INT, MAX_TEXT, parse_id
from tuki.tickets.models import Comment, Ticket
from tuki.tickets.tests.test_api_support import API, error_fields

HUGE = str(2**70)


def client(user) -> Client:
    # Answers, not exceptions: a 500 must be seen as one.
    return Client(
        headers={"authorization": f"Bearer {issue_token(user)}"}, raise_request_exception=False
    )


def post_raw(c: Client, path: str, body: str):
    return c.post(API + path, data=body, content_type="application/json")


@pytest.mark.parametrize("field", ["group", "requester", "organisation", "assignee", "cursor"])
def test_an_id_beyond_64_bits_in_a_ticket_filter_is_a_422_naming_it(desk, field):
    response = client(desk.operator).get(API + "/tickets", {field: HUGE})
    assert error_fields(response) == [field]


def test_an_id_beyond_64_bits_in_the_user_directory_filter_is_a_422(desk):
    response = client(desk.operator).get(API + "/users", {"organisation": HUGE})
    assert error_fields(response) == ["organisation"]


def test_a_cursor_beyond_64_bits_in_the_notifications_is_a_422(desk):
    response = client(desk.operator).get(API + "/notifications/", {"cursor": HUGE})
    assert error_fields(response) == ["cursor"]


def test_the_largest_bigint_is_still_a_number_that_finds_nothing(desk):
    response = client(desk.operator).get(API + "/tickets", {"group": MAX_INT})
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize("role", ["operator", "requester"])
def test_a_lone_surrogate_in_a_title_is_a_422_and_nothing_is_written(desk, role):
    response = post_raw(client(getattr(desk, role)), "/tickets", '{"title": "VPN \\ud800 down"}')
    assert error_fields(response) == ["title"]
    assert not Ticket.objects.exists()


def test_a_lone_surrogate_in_a_comment_is_a_422_and_nothing_is_written(desk, incident):
    c = client(desk.requester)
    response = post_raw(c, f"/tickets/{incident.pk}/comments", '{"body": "\\udfff thanks"}')
    assert error_fields(response) == ["body"]
    assert not Comment.objects.filter(ticket=incident).exists()


def test_a_title_longer_than_the_column_is_a_422(desk, incident):
    c = client(desk.operator)
    response = post_raw(c, "/tickets", json.dumps({"title": "x" * 201}))
    assert error_fields(response) == ["title"]
    response = c.patch(
        API + f"/tickets/{incident.pk}", data={"title": "y" * 201}, content_type="application/json"
    )
    assert error_fields(response) == ["title"]
    incident.refresh_from_db()
    assert incident.title == "VPN drops every few minutes"
    assert Ticket.objects.count() == 1


def test_a_comment_beyond_the_text_limit_is_a_422(desk, incident):
    c = client(desk.operator)
    body = json.dumps({"body": "z" * (MAX_TEXT + 1), "internal": True})
    assert error_fields(post_raw(c, f"/tickets/{incident.pk}/comments", body)) == ["body"]
    assert not Comment.objects.exists()


@pytest.mark.parametrize("ref", ["¹³", "١٢", "٣", HUGE, "INC-" + HUGE])
def test_a_ticket_ref_in_other_digits_or_too_large_is_a_404(desk, incident, ref):
    assert client(desk.operator).get(API + f"/tickets/{ref}").status_code == 404


def test_deleting_an_article_by_superscript_digits_is_a_404(desk):
    response = client(desk.admin).delete(API + "/kb/articles/¹³")
    assert response.status_code == 404


def test_a_superscript_id_of_an_attachment_or_article_is_a_404_not_a_500(desk):
    c = client(desk.operator)
    assert c.get(API + "/kb/articles/²").status_code == 404
    assert c.get(API + f"/attachments/{HUGE}").status_code in (404, 422)
    assert not Article.objects.exists()


class TestRequesterFields:
    """The portal's form asks a requester for title, description, kind (incident or
    request), category and urgency; the API takes no more from them."""

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("kind", "problem"),
            ("kind", "change"),
            ("channel", "phone"),
            ("tags", ["vip"]),
            ("group", 1),
            ("impact", 1),
            ("restricted", True),
        ],
    )
    def test_a_requester_setting_a_desk_field_gets_a_422_naming_it(self, desk, field, value):
        body = {"title": "Printer jam", field: value}
        if field == "group":
            body[field] = desk.network_hel.pk
        response = post_raw(client(desk.requester), "/tickets", json.dumps(body))
        assert error_fields(response) == [field]
        assert not Ticket.objects.exists()

    def test_a_requester_may_say_what_the_portal_asks(self, desk):
        body = {
            "title": "Printer jam",
            "description": "Paper stuck",
            "kind": "request",
            "category": desk.vpn.pk,
            "urgency": 1,
        }
        response = post_raw(client(desk.requester), "/tickets", json.dumps(body))
        assert response.status_code == 201, response.content
        ticket = Ticket.objects.get()
        assert (ticket.kind, ticket.urgency, ticket.channel) == ("request", 1, "api")

    def test_an_agent_still_sets_every_field(self, desk):
        body = {
            "title": "Core switch",
            "kind": "problem",
            "channel": "phone",
            "tags": ["network"],
            "requester": desk.requester.pk,
        }
        response = post_raw(client(desk.operator), "/tickets", json.dumps(body))
        assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (12, 12),
        ("0", 0),
        (str(MAX_INT), MAX_INT),
        (str(MAX_INT + 1), None),
        ("¹³", None),
        ("١٢", None),
        ("-1", None),
        (" 1", None),
        ("", None),
        (True, None),
        (-5, None),
        ("9" * 5000, None),
    ],
)
def test_parse_id_takes_only_ascii_digits_that_fit_a_bigint(text, expected):
    assert parse_id(text) == expected


def test_a_lone_surrogate_in_a_form_is_an_error_on_its_field(desk):
    # Browsers cannot send one (Django decodes form posts with replacement characters),
    # but a form built from other data (htmx JSON, a script) must refuse it too.
    from tuki.portal.forms import NewRequestForm

    form = NewRequestForm(
        data={"kind": "incident", "title": "VPN \ud800", "description": "x", "urgency": "2"}
    )
    assert not form.is_valid()
    assert list(form.errors) == ["title"]
