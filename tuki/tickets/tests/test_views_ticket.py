"""The ticket page: roles, what it shows, inline field edits, files, and its query budget."""

import pytest
from django.test import Client

from tuki.lib.testing import Queries, assert_same_count, query_budget
from tuki.tickets import services
from tuki.tickets.models import Ticket, TicketEvent

# session, user, my group ids, the ticket via access, the ticket with its status,
# category, organisation and location, tags, watchers, its people, its groups, comments,
# events, attachments, allowed statuses, may I reply, links, and the SLA clocks with their
# history (one query: the clocks' logs, each joined to its clock), and the ticket's email
# in and out (two queries: the timeline's delivery status), and the header bell's unread
# notification count, and the configuration's version (the custom fields' definitions are
# cached: tuki/tickets/fields.py). The action dialogs load their forms when opened.
TICKET_PAGE_QUERIES = 20
SEES = ["operator", "specialist", "lead", "admin"]
HIDDEN = ["requester", "colleague", "outsider", "other_agent"]


def page(ticket: Ticket) -> str:
    return f"/desk/tickets/{ticket.number}/"


class TestWhoMayOpenATicket:
    def test_anonymous_visitors_are_sent_to_sign_in(self, desk, escalated):
        response = Client().get(page(escalated))
        assert response.status_code == 302 and response.url.startswith("/login/")

    @pytest.mark.parametrize("who", SEES)
    def test_agents_of_the_owner_or_assigned_group_and_admins_see_it(self, desk, escalated, who):
        response = desk.client_for(getattr(desk, who)).get(page(escalated))
        assert response.status_code == 200
        assert response.context["ticket"] == escalated

    @pytest.mark.parametrize("who", HIDDEN)
    def test_everyone_else_gets_a_404_even_the_requester_in_the_workspace(
        self, desk, escalated, who
    ):
        assert desk.client_for(getattr(desk, who)).get(page(escalated)).status_code == 404

    def test_an_unknown_or_malformed_number_is_a_404(self, desk):
        client = desk.client_for(desk.admin)
        assert client.get("/desk/tickets/INC-999/").status_code == 404
        assert client.get("/desk/tickets/XYZ-1/").status_code == 404
        assert client.get("/desk/tickets/nonsense/").status_code == 404

    def test_a_number_with_the_wrong_prefix_is_a_404(self, desk, incident):
        client = desk.client_for(desk.operator)
        assert client.get(f"/desk/tickets/REQ-{incident.pk}/").status_code == 404

    def test_a_lowercase_number_redirects_to_the_canonical_page(self, desk, incident):
        response = desk.client_for(desk.operator).get(page(incident).lower())
        assert response.status_code == 302 and response.url == page(incident)


class TestWhatTheTicketPageShows:
    def test_header_fields_and_requester_contact(self, desk, escalated):
        html = desk.client_for(desk.operator).get(page(escalated)).content.decode()
        for text in [
            escalated.number,
            escalated.title,
            "Assigned",
            "3 - Moderate",
            "Network › VPN",
            "Acme Oy",
            "+358 40 555 1234",
            "maija@acme.fi",
            "Service Desk",
            "Network Helsinki",
        ]:
            assert text in html

    def test_replies_and_notes_look_different_and_events_read_old_to_new(self, desk, escalated):
        services.add_comment(desk.operator, escalated, "We are on it", internal=False)
        services.add_comment(desk.specialist, escalated, "Router rebooted", internal=True)
        services.update_ticket(desk.operator, escalated, impact=1, reason="Whole office")
        response = desk.client_for(desk.operator).get(page(escalated))
        html = response.content.decode()
        assert 'class="reply"' in html and 'class="note"' in html
        assert "Public reply" in html and "Internal note" in html
        kinds = [e.kind for e in response.context["timeline"]]
        assert kinds.count("reply") == 1 and kinds.count("note") == 1
        impact = next(
            e for e in response.context["timeline"] if e.event and e.event.field == "impact"
        )
        assert (impact.old, impact.new, impact.actor) == ("2 - Medium", "1 - High", "Olli Operator")
        assert "Whole office" in html
        status = next(
            e for e in response.context["timeline"] if e.event and e.event.field == "status"
        )
        assert (status.old, status.new) == ("New", "Assigned")

    def test_the_timeline_speaks_the_users_language(self, desk, escalated):
        desk.operator.language = "fi"
        desk.operator.save()
        response = desk.client_for(desk.operator).get(page(escalated))
        status = next(
            e for e in response.context["timeline"] if e.event and e.event.field == "status"
        )
        assert status.new != "Assigned" and status.new

    def test_public_replies_are_offered_only_to_those_who_may_write_to_requesters(
        self, desk, escalated
    ):
        operator = desk.client_for(desk.operator).get(page(escalated))
        specialist = desk.client_for(desk.specialist).get(page(escalated))
        assert operator.context["can_reply"] is True
        assert specialist.context["can_reply"] is False
        assert "Your groups may not write to requesters" in specialist.content.decode()
        assert (
            'id="vis-public" value="public" autocomplete="off" disabled'
            in specialist.content.decode()
        )

    def test_only_actions_that_apply_are_offered(self, desk, escalated):
        operator = desk.client_for(desk.operator).get(page(escalated)).context["available"]
        specialist = desk.client_for(desk.specialist).get(page(escalated)).context["available"]
        assert "take" not in operator  # not a member of Network Helsinki
        assert {"take", "assign", "escalate", "resolve", "set_status"} <= specialist
        assert "reopen" not in specialist and "close" not in specialist

    def test_linked_tickets_the_user_cannot_see_are_not_shown(self, desk, escalated):
        secret = services.create_ticket(
            desk.other_agent, title="Apps secret", requester=desk.colleague
        )
        services.link_tickets(desk.admin, escalated, secret, "related")
        response = desk.client_for(desk.specialist).get(page(escalated))
        assert response.context["links"] == []
        admin = desk.client_for(desk.admin).get(page(escalated))
        assert [link["other"] for link in admin.context["links"]] == [secret]


def busy_ticket(desk, ticket: Ticket, rounds: int) -> Ticket:
    for n in range(rounds):
        services.add_comment(
            desk.operator,
            ticket,
            f"Reply {n}",
            uploads=[services.Upload(f"log-{n}.txt", b"line\n" * 10)],
        )
        services.add_comment(desk.specialist, ticket, f"Note {n}", internal=True)
        services.update_ticket(desk.operator, ticket, title=f"Title {n}", tags=[f"t{n}"])
    services.link_tickets(
        desk.operator,
        ticket,
        services.create_ticket(desk.operator, title="Other", requester=desk.colleague),
        "related",
    )
    return ticket


class TestQueryBudget:
    def page_queries(self, desk, ticket: Ticket) -> Queries:
        client = desk.client_for(desk.operator)
        client.get(page(ticket))
        with query_budget(TICKET_PAGE_QUERIES, exact=True) as queries:
            response = client.get(page(ticket))
        assert response.status_code == 200
        return queries

    def test_the_page_runs_the_same_queries_for_one_or_twenty_of_everything(self, desk, escalated):
        small = busy_ticket(desk, escalated, 1)
        big = services.create_ticket(desk.operator, title="Big", requester=desk.requester)
        big = busy_ticket(
            desk, services.escalate_ticket(desk.operator, big, group=desk.network_hel), 20
        )
        assert big.comments.count() == 40 and big.attachments.count() == 20
        assert TicketEvent.objects.filter(ticket=big).count() > 80
        assert_same_count(self.page_queries(desk, small), self.page_queries(desk, big))


class TestTimelineFragment:
    @pytest.mark.parametrize("who", ["operator", "specialist", "admin"])
    def test_agents_who_see_the_ticket_get_the_timeline(self, desk, escalated, who):
        response = desk.client_for(getattr(desk, who)).get(page(escalated) + "timeline/")
        assert response.status_code == 200 and b'id="timeline"' in response.content
        assert b"<html" not in response.content

    @pytest.mark.parametrize("who", HIDDEN)
    def test_others_get_a_404(self, desk, escalated, who):
        response = desk.client_for(getattr(desk, who)).get(page(escalated) + "timeline/")
        assert response.status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, desk, escalated):
        assert Client().get(page(escalated) + "timeline/").status_code == 302


HTMX = {"HTTP_HX_REQUEST": "true"}


class TestActionDialogs:
    """Each action's dialog fetches its form (`?action=`) when the agent opens it."""

    def test_the_page_comes_with_empty_dialogs_that_fetch_their_forms(self, desk, escalated):
        html = desk.client_for(desk.operator).get(page(escalated)).content.decode()
        assert 'id="action-assign"' in html and f'hx-get="{page(escalated)}?action=assign"' in html
        assert 'id="action-form-assign"' not in html and 'name="assignee"' not in html

    @pytest.mark.parametrize("who", ["operator", "specialist", "admin"])
    def test_agents_who_see_the_ticket_get_a_form(self, desk, escalated, who):
        client = desk.client_for(getattr(desk, who))
        response = client.get(page(escalated) + "?action=assign", **HTMX)
        html = response.content.decode()
        assert response.status_code == 200 and "<html" not in html
        assert 'id="action-form-assign"' in html and 'name="csrfmiddlewaretoken"' in html
        assert f'<optgroup label="{desk.network_hel.name}">' in html
        assert f'<option value="{desk.network_hel.pk}" selected>' in html  # the current group
        assert desk.specialist.full_name in html

    def test_the_escalation_form_offers_the_other_groups(self, desk, escalated):
        response = desk.client_for(desk.operator).get(page(escalated) + "?action=escalate", **HTMX)
        html = response.content.decode()
        assert 'id="action-form-escalate"' in html and 'name="mode"' in html
        assert f'<option value="{desk.service_desk.pk}">' in html
        assert f'<option value="{desk.network_hel.pk}"' not in html

    @pytest.mark.parametrize("who", HIDDEN)
    def test_others_get_a_404(self, desk, escalated, who):
        client = desk.client_for(getattr(desk, who))
        assert client.get(page(escalated) + "?action=assign", **HTMX).status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, desk, escalated):
        assert Client().get(page(escalated) + "?action=assign", **HTMX).status_code == 302

    def test_without_htmx_or_for_an_unknown_action_it_is_the_page(self, desk, escalated):
        client = desk.client_for(desk.operator)
        for response in (
            client.get(page(escalated) + "?action=assign"),
            client.get(page(escalated) + "?action=nonsense", **HTMX),
        ):
            assert response.status_code == 200 and b"<html" in response.content


class TestInlineFieldEdits:
    def edit(self, desk, ticket, field, value, who="operator", **headers):
        url = f"{page(ticket)}fields/{field}/"
        return desk.client_for(getattr(desk, who)).post(url, {field: value}, **headers)

    def test_the_edit_form_comes_as_a_fragment(self, desk, incident):
        response = desk.client_for(desk.operator).get(f"{page(incident)}fields/impact/", **HTMX)
        assert response.status_code == 200
        assert b'name="impact"' in response.content and b"<html" not in response.content

    def test_changing_impact_recomputes_priority_and_returns_the_panel(self, desk, incident):
        response = self.edit(desk, incident, "impact", "1", **HTMX)
        assert response.status_code == 200
        assert "ticket-changed" in response["HX-Trigger"]
        assert b'id="ticket-fields"' in response.content
        assert b'hx-swap-oob="true"' in response.content  # the header follows
        incident.refresh_from_db()
        assert (incident.impact, incident.priority) == (1, 2)

    @pytest.mark.parametrize(
        ("field", "value", "check"),
        [
            ("urgency", "3", lambda t: t.urgency == 3),
            ("title", "VPN down for the sales team", lambda t: t.title.startswith("VPN down")),
            (
                "tags",
                "vpn, Sales , vpn",
                lambda t: sorted(t.tags.values_list("name", flat=True)) == ["sales", "vpn"],
            ),
            ("category", "", lambda t: t.category is None),
        ],
    )
    def test_each_inline_field_saves_through_the_service(self, desk, incident, field, value, check):
        response = self.edit(desk, incident, field, value)
        assert response.status_code == 302 and response.url == page(incident)
        incident.refresh_from_db()
        assert check(incident)
        assert TicketEvent.objects.filter(ticket=incident, action="field", field=field).exists()

    def test_changing_the_kind_moves_the_page_to_the_new_number(self, desk, incident):
        response = self.edit(desk, incident, "kind", "request", **HTMX)
        assert response.status_code == 200
        assert response["HX-Redirect"] == f"/desk/tickets/REQ-{incident.pk}/"

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("title", "   "),
            ("impact", "9"),
            ("urgency", "x"),
            ("category", "999"),
            ("tags", "x" * 60),
            ("kind", "nope"),
        ],
    )
    def test_bad_input_is_shown_next_to_the_field_and_nothing_is_written(
        self, desk, incident, field, value
    ):
        before = TicketEvent.objects.count()
        response = self.edit(desk, incident, field, value, **HTMX)
        assert response.status_code == 422
        assert response["HX-Retarget"] == f"#field-{field}"
        assert b"invalid-feedback" in response.content
        assert TicketEvent.objects.count() == before
        assert Ticket.objects.get(pk=incident.pk).title == incident.title

    def test_without_htmx_a_bad_value_re_renders_the_page_with_the_error(self, desk, incident):
        response = self.edit(desk, incident, "title", "")
        assert response.status_code == 422
        assert response.context["edit_field"] == "title"
        assert "This field is required." in response.content.decode()

    def test_an_unknown_field_is_a_404(self, desk, incident):
        response = self.edit(desk, incident, "owner", "1")
        assert response.status_code == 404

    @pytest.mark.parametrize("who", HIDDEN)
    def test_those_who_cannot_see_the_ticket_get_a_404_and_nothing_changes(
        self, desk, escalated, who
    ):
        response = self.edit(desk, escalated, "impact", "1", who=who)
        assert response.status_code == 404
        assert Ticket.objects.get(pk=escalated.pk).impact == 2

    @pytest.mark.parametrize("who", ["specialist", "admin"])
    def test_agents_who_see_the_ticket_may_edit(self, desk, escalated, who):
        assert self.edit(desk, escalated, "impact", "1", who=who).status_code == 302
        assert Ticket.objects.get(pk=escalated.pk).impact == 1

    def test_anonymous_visitors_are_sent_to_sign_in(self, desk, incident):
        response = Client().post(f"{page(incident)}fields/impact/", {"impact": "1"})
        assert response.status_code == 302 and response.url.startswith("/login/")


class TestAttachmentDownloads:
    @pytest.fixture
    def attachment(self, desk, escalated):
        comment = services.add_comment(
            desk.specialist,
            escalated,
            "log",
            internal=True,
            uploads=[services.Upload("trace.txt", b"hello")],
        )
        return comment.attachments.get()

    @pytest.mark.parametrize("who", SEES)
    def test_agents_who_see_the_ticket_download_it(self, desk, attachment, who):
        response = desk.client_for(getattr(desk, who)).get(f"/desk/attachments/{attachment.pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"hello"
        assert "attachment" in response["Content-Disposition"]

    @pytest.mark.parametrize("who", HIDDEN)
    def test_everyone_else_gets_a_404(self, desk, attachment, who):
        response = desk.client_for(getattr(desk, who)).get(f"/desk/attachments/{attachment.pk}/")
        assert response.status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, desk, attachment):
        assert Client().get(f"/desk/attachments/{attachment.pk}/").status_code == 302
