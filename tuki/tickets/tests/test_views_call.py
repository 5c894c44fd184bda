"""Log a call: the operator's intake form, caller search and routing, end to end."""

import pytest
from django.test import Client

from tuki.accounts.models import SupportGroup
from tuki.tickets.models import Ticket
from tuki.tickets.views.call import suggest_group

URL = "/desk/call/"
HTMX = {"HTTP_HX_REQUEST": "true"}
VIEWS = [URL, URL + "callers/?caller=maija", URL + "caller/?requester=1", URL + "route/"]


def call(desk, client=None, **data):
    payload = {
        "requester": desk.requester.pk,
        "category": desk.vpn.pk,
        "title": "VPN will not connect",
        "description": "Error 809 since this morning",
        "impact": 2,
        "urgency": 1,
        "outcome": "save",
    }
    payload.update(data)
    return (client or desk.client_for(desk.operator)).post(URL, payload)


class TestWhoMayLogACall:
    @pytest.mark.parametrize("view", VIEWS)
    def test_anonymous_visitors_are_sent_to_sign_in(self, desk, view):
        response = Client().get(view)
        assert response.status_code == 302 and response.url.startswith("/login/")

    @pytest.mark.parametrize("view", VIEWS)
    @pytest.mark.parametrize("who", ["requester", "outsider"])
    def test_requesters_are_sent_to_the_portal_and_see_no_one(self, desk, view, who):
        response = desk.client_for(getattr(desk, who)).get(view)
        assert response.status_code == 302 and response.url == "/portal/"

    @pytest.mark.parametrize("view", VIEWS)
    @pytest.mark.parametrize("who", ["operator", "specialist", "other_agent", "admin"])
    def test_agents_may_use_it(self, desk, view, who):
        assert desk.client_for(getattr(desk, who)).get(view).status_code == 200

    def test_requesters_cannot_register_calls(self, desk):
        response = desk.client_for(desk.requester).post(URL, {"title": "x"})
        assert response.status_code == 302 and not Ticket.objects.exists()


class TestTheForm:
    def test_the_caller_search_has_the_focus_and_an_access_key(self, desk):
        html = desk.client_for(desk.operator).get(URL).content.decode()
        assert 'id="id_caller"' in html and "autofocus" in html and 'accesskey="c"' in html


class TestCallerSearch:
    @pytest.mark.parametrize("text", ["maija", "MAIJA@acme", "555 1234"])
    def test_callers_are_found_by_name_email_or_phone(self, desk, text):
        response = desk.client_for(desk.operator).get(URL + "callers/", {"caller": text})
        assert response.context["people"] == [desk.requester]

    def test_one_letter_finds_no_one_yet(self, desk):
        response = desk.client_for(desk.operator).get(URL + "callers/", {"caller": "m"})
        assert response.context["people"] == []

    def test_inactive_people_are_not_offered(self, desk):
        desk.colleague.is_active = False
        desk.colleague.save()
        response = desk.client_for(desk.operator).get(URL + "callers/", {"caller": "matti"})
        assert response.context["people"] == []

    def test_picking_a_caller_shows_their_details_and_recent_tickets(self, desk, incident):
        response = desk.client_for(desk.operator).get(
            URL + "caller/", {"requester": desk.requester.pk}
        )
        assert f'name="requester" value="{desk.requester.pk}"' in response.content.decode()
        assert response.context["recent"] == [incident]
        assert "caller-picked" in response["HX-Trigger-After-Settle"]

    def test_recent_tickets_are_only_those_the_agent_may_see(self, desk, incident):
        response = desk.client_for(desk.other_agent).get(
            URL + "caller/", {"requester": desk.requester.pk}
        )
        assert response.context["recent"] == []


class TestRouting:
    def test_the_categorys_default_group_is_suggested(self, desk):
        assert suggest_group(desk.vpn, desk.requester) == desk.network_hel

    def test_a_caller_in_another_office_gets_the_local_group(self, desk):
        assert suggest_group(desk.vpn, desk.outsider) == desk.network_buc

    def test_a_category_without_default_uses_its_parents(self, desk):
        desk.vpn.default_group = None
        desk.vpn.save()
        assert suggest_group(desk.vpn, desk.requester) == desk.network_hel

    def test_no_category_no_suggestion(self, desk):
        assert suggest_group(None, desk.requester) is None

    def test_the_route_fragment_preselects_the_suggestion(self, desk):
        response = desk.client_for(desk.operator).get(
            URL + "route/", {"category": desk.vpn.pk, "requester": desk.outsider.pk}
        )
        assert response.context["suggested"] == desk.network_buc
        assert f'value="{desk.network_buc.pk}" selected' in response.content.decode()

    def test_nonsense_parameters_give_no_suggestion_not_an_error(self, desk):
        response = desk.client_for(desk.operator).get(
            URL + "route/", {"category": "x", "requester": "-1"}
        )
        assert response.status_code == 200 and response.context["suggested"] is None


class TestRegisteringTheCall:
    def test_save_keeps_the_ticket_with_the_desk_as_a_phone_call(self, desk):
        response = call(desk)
        ticket = Ticket.objects.get()
        assert response.status_code == 302 and response.url == ticket.get_absolute_url()
        assert (ticket.channel, ticket.group, ticket.owner) == (
            "phone",
            desk.service_desk,
            desk.operator,
        )
        assert (ticket.impact, ticket.urgency, ticket.priority) == (2, 1, 2)
        assert ticket.requester == desk.requester and ticket.category == desk.vpn

    def test_escalate_hands_the_work_to_the_chosen_group(self, desk):
        client = desk.client_for(desk.operator)
        response = call(desk, client, outcome="escalate", group=desk.network_hel.pk)
        ticket = Ticket.objects.get()
        assert response.url == ticket.get_absolute_url()
        assert (ticket.group, ticket.owner_group) == (desk.network_hel, desk.service_desk)
        assert ticket.status.key == "assigned"
        page = client.get(response.url)
        assert f"{ticket.number} was registered." in [str(m) for m in page.context["messages"]]

    def test_resolve_at_first_contact_records_the_resolution(self, desk):
        call(desk, outcome="resolve", resolution="Reinstalled the VPN client")
        ticket = Ticket.objects.get()
        assert ticket.status.category == "resolved"
        assert ticket.resolution_code == "first_contact"
        assert ticket.resolution == "Reinstalled the VPN client"
        assert ticket.group == desk.service_desk

    def test_an_empty_title_takes_the_first_line_of_what_the_caller_said(self, desk):
        call(desk, title="", description="Printer on fire\nreally")
        assert Ticket.objects.get().title == "Printer on fire"

    def test_without_javascript_an_exact_email_finds_the_caller(self, desk):
        call(desk, requester="", caller="maija@acme.fi")
        assert Ticket.objects.get().requester == desk.requester

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"requester": "", "caller": "nobody"}, "caller"),
            ({"title": "", "description": ""}, "title"),
            ({"outcome": "escalate"}, "group"),
            ({"outcome": "resolve", "resolution": " "}, "resolution"),
            ({"impact": 7}, "impact"),
            ({"category": 9999}, "category"),
            ({"requester": 9999}, "requester"),
        ],
    )
    def test_bad_input_is_shown_next_to_the_field_and_no_ticket_is_made(self, desk, data, field):
        response = call(desk, **data)
        assert response.status_code == 422
        assert field in response.context["form"].errors
        assert not Ticket.objects.exists()

    def test_an_inactive_group_is_refused(self, desk):
        SupportGroup.objects.filter(pk=desk.apps.pk).update(is_active=False)
        response = call(desk, outcome="escalate", group=desk.apps.pk)
        assert response.status_code == 422 and not Ticket.objects.exists()

    def test_a_refused_resolution_leaves_no_ticket_behind(self, desk, monkeypatch):
        from tuki.tickets import services

        def refuse(*args, **kwargs):
            raise services.ServiceError("No resolving today.", field="resolution")

        monkeypatch.setattr(services, "resolve_ticket", refuse)
        response = call(desk, outcome="resolve", resolution="Done")
        assert response.status_code == 422
        assert "No resolving today." in response.content.decode()
        assert not Ticket.objects.exists()
