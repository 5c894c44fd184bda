"""My requests: the requester's own tickets, by tab, searchable, paginated, fixed queries."""

import pytest

from tuki.lib.testing import assert_same_count
from tuki.portal.tests.conftest import add_secrets, file_request, page_queries
from tuki.tickets import services

URL = "/portal/"


class TestPermissions:
    def test_anonymous_visitors_are_sent_to_sign_in(self, client, desk):
        response = client.get(URL)
        assert response.status_code == 302 and response.url.startswith("/login/")

    def test_the_requester_sees_their_own_request(self, desk, web_request):
        html = desk.client_for(desk.requester).get(URL).content.decode()
        assert web_request.number in html and web_request.title in html

    @pytest.mark.parametrize("who", ["colleague", "outsider"])
    def test_other_requesters_do_not_see_it(self, desk, web_request, who):
        response = desk.client_for(getattr(desk, who)).get(URL)
        assert response.status_code == 200
        assert web_request.title not in response.content.decode()

    @pytest.mark.parametrize("who", ["operator", "admin"])
    def test_agents_and_admins_see_only_what_they_requested_themselves(self, desk, incident, who):
        user = getattr(desk, who)
        own = file_request(desk, "My laptop battery is swollen", requester=user)
        html = desk.client_for(user).get(URL).content.decode()
        assert own.title in html
        assert incident.title not in html  # visible in their workspace, not theirs to ask about

    @pytest.mark.parametrize("who", ["specialist", "other_agent"])
    def test_agents_without_requests_get_an_empty_list(self, desk, escalated, who):
        html = desk.client_for(getattr(desk, who)).get(URL).content.decode()
        assert escalated.title not in html
        assert "You have no open requests." in html


class TestOrganisationTab:
    def test_a_colleague_without_the_grant_has_no_organisation_tab(self, desk, web_request):
        html = desk.client_for(desk.colleague).get(URL + "?tab=organisation").content.decode()
        assert "My organisation" not in html
        assert web_request.title not in html

    def test_a_colleague_with_the_grant_sees_the_organisations_requests_there(
        self, desk, web_request
    ):
        desk.colleague.sees_organisation_tickets = True
        desk.colleague.save()
        client = desk.client_for(desk.colleague)
        assert web_request.title not in client.get(URL).content.decode()
        html = client.get(URL + "?tab=organisation").content.decode()
        assert "My organisation" in html
        assert web_request.title in html and desk.requester.full_name in html

    def test_the_grant_never_shows_another_organisations_requests(self, desk, web_request):
        desk.outsider.sees_organisation_tickets = True
        desk.outsider.save()
        html = desk.client_for(desk.outsider).get(URL + "?tab=organisation").content.decode()
        assert web_request.title not in html


class TestTabs:
    def test_open_requests_show_their_status_as_a_badge(self, desk, web_request):
        html = desk.client_for(desk.requester).get(URL).content.decode()
        assert 'class="badge status-new"' in html and "New" in html

    def test_closed_requests_move_to_the_closed_tab(self, desk, closed):
        client = desk.client_for(desk.requester)
        assert closed.title not in client.get(URL).content.decode()
        html = client.get(URL + "?tab=closed").content.decode()
        assert closed.title in html and "status-closed" in html

    def test_a_resolved_request_stays_open_and_asks_for_confirmation(self, desk, resolved):
        html = desk.client_for(desk.requester).get(URL).content.decode()
        assert resolved.title in html
        assert "Please tell us whether it is solved" in html

    def test_an_unknown_tab_falls_back_to_open(self, desk, web_request):
        html = desk.client_for(desk.requester).get(URL + "?tab=nonsense").content.decode()
        assert web_request.title in html


class TestSearch:
    def test_search_finds_by_words_of_the_title(self, desk, web_request):
        other = file_request(desk, "Need a second monitor")
        html = desk.client_for(desk.requester).get(URL, {"q": "printer"}).content.decode()
        assert web_request.title in html and other.title not in html

    def test_search_finds_by_ticket_number(self, desk, web_request):
        other = file_request(desk, "Need a second monitor")
        html = desk.client_for(desk.requester).get(URL, {"q": other.number}).content.decode()
        assert other.title in html and web_request.title not in html

    def test_search_finds_words_of_public_replies(self, desk, web_request):
        services.add_comment(desk.operator, web_request, "Try the tray marked Zebra")
        html = desk.client_for(desk.requester).get(URL, {"q": "zebra"}).content.decode()
        assert web_request.title in html

    def test_search_ignores_internal_notes(self, desk, web_request):
        add_secrets(desk, web_request)
        html = desk.client_for(desk.requester).get(URL, {"q": "bill their"}).content.decode()
        assert web_request.title not in html
        assert "Nothing matches" in html

    def test_an_htmx_search_returns_only_the_list(self, desk, web_request):
        response = desk.client_for(desk.requester).get(
            URL, {"q": "printer"}, headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        assert web_request.title in html and "<html" not in html


class TestPagination:
    def test_long_lists_are_split_into_pages(self, desk):
        for i in range(25):
            file_request(desk, f"Request number {i:02d}")
        client = desk.client_for(desk.requester)
        first = client.get(URL).content.decode()
        assert "Request number 24" in first and "Request number 04" not in first
        assert "Page 1 of 2" in first
        second = client.get(URL, {"page": 2}).content.decode()
        assert "Request number 04" in second and "Request number 24" not in second


class TestQueries:
    def test_the_list_costs_the_same_queries_for_3_or_30_requests(self, desk):
        client = desk.client_for(desk.requester)
        for i in range(3):
            file_request(desk, f"Request {i}", category=desk.vpn)
        few = page_queries(client, URL)
        for i in range(27):
            file_request(desk, f"Request {i + 3}", category=desk.vpn)
        assert_same_count(few, page_queries(client, URL))

    def test_the_organisation_tab_costs_the_same_for_3_or_30_requests(self, desk):
        desk.colleague.sees_organisation_tickets = True
        desk.colleague.save()
        client = desk.client_for(desk.colleague)
        for i in range(3):
            file_request(desk, f"Request {i}")
        few = page_queries(client, URL + "?tab=organisation")
        for i in range(27):
            file_request(desk, f"Request {i + 3}")
        assert_same_count(few, page_queries(client, URL + "?tab=organisation"))
