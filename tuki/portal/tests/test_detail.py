"""View a request: the public conversation only, with the confirm panel when resolved."""

import pytest

from tuki.lib.testing import assert_same_count
from tuki.lib.uploads import Upload
from tuki.portal.tests.conftest import add_secrets, file_request, page_queries, resolve
from tuki.tickets import services


def url(ticket) -> str:
    return f"/portal/tickets/{ticket.number}/"


class TestPermissions:
    def test_anonymous_visitors_are_sent_to_sign_in(self, client, web_request):
        response = client.get(url(web_request))
        assert response.status_code == 302 and response.url.startswith("/login/")

    def test_the_requester_sees_their_request(self, desk, web_request):
        response = desk.client_for(desk.requester).get(url(web_request))
        assert response.status_code == 200
        assert web_request.title in response.content.decode()

    @pytest.mark.parametrize(
        "who", ["colleague", "outsider", "operator", "specialist", "other_agent", "admin"]
    )
    def test_anyone_else_gets_not_found(self, desk, web_request, who):
        # Agents who may work the ticket do that in the workspace; the portal is for asking.
        response = desk.client_for(getattr(desk, who)).get(url(web_request))
        assert response.status_code == 404

    def test_a_colleague_with_the_organisation_grant_may_read_it(self, desk, web_request):
        desk.colleague.sees_organisation_tickets = True
        desk.colleague.save()
        response = desk.client_for(desk.colleague).get(url(web_request))
        assert response.status_code == 200
        assert "Is your issue solved?" not in response.content.decode()

    @pytest.mark.parametrize("who", ["operator", "admin"])
    def test_agents_see_what_they_requested_themselves(self, desk, who):
        user = getattr(desk, who)
        own = file_request(desk, "New keyboard please", requester=user)
        assert desk.client_for(user).get(url(own)).status_code == 200

    @pytest.mark.parametrize("number", ["INC-999999", "XYZ-1", "nonsense"])
    def test_unknown_numbers_are_not_found(self, desk, web_request, number):
        response = desk.client_for(desk.requester).get(f"/portal/tickets/{number}/")
        assert response.status_code == 404

    def test_the_wrong_prefix_for_an_id_is_not_found(self, desk, web_request):
        response = desk.client_for(desk.requester).get(f"/portal/tickets/REQ-{web_request.pk}/")
        assert response.status_code == 404


class TestConversation:
    def test_the_description_and_public_replies_show_with_their_authors(self, desk, web_request):
        services.add_comment(desk.operator, web_request, "Is the printer switched on?")
        services.add_comment(desk.requester, web_request, "Yes, it is on.")
        html = desk.client_for(desk.requester).get(url(web_request)).content.decode()
        assert "It jams on every second page." in html
        assert "Is the printer switched on?" in html and desk.operator.full_name in html
        assert "Yes, it is on." in html and desk.requester.full_name in html
        assert html.index("switched on?") < html.index("Yes, it is on.")

    def test_internal_notes_and_internal_files_never_appear(self, desk, web_request):
        add_secrets(desk, web_request)
        services.add_comment(desk.operator, web_request, "We are on it.")
        html = desk.client_for(desk.requester).get(url(web_request)).content.decode()
        assert "We are on it." in html
        assert "bill their department" not in html
        assert "internal-diagnostics.txt" not in html
        assert "hunter2" not in html

    def test_routing_and_its_reasons_stay_behind(self, desk, escalated):
        html = desk.client_for(desk.requester).get(url(escalated)).content.decode()
        assert "Needs the network team" not in html
        assert desk.network_hel.name not in html

    def test_status_changes_read_as_plain_sentences(self, desk, resolved):
        html = desk.client_for(desk.requester).get(url(resolved)).content.decode()
        assert "Status changed to <strong>Resolved</strong>" in html

    def test_public_files_are_listed_with_download_links(self, desk):
        ticket = file_request(desk, uploads=[Upload("screenshot.png", b"\x89PNG\r\n\x1a\nxx")])
        services.add_comment(
            desk.operator, ticket, "Here is the manual", uploads=[Upload("manual.txt", b"RTFM")]
        )
        html = desk.client_for(desk.requester).get(url(ticket)).content.decode()
        for attachment in ticket.attachments.all():
            assert attachment.filename in html
            assert f"/portal/attachments/{attachment.pk}/" in html

    def test_times_are_shown_in_the_users_time_zone(self, desk, web_request):
        desk.requester.time_zone = "Asia/Tokyo"
        desk.requester.save()
        html = desk.client_for(desk.requester).get(url(web_request)).content.decode()
        assert "+09:00" in html  # the machine-readable datetime of each message


class TestStates:
    def test_an_open_request_offers_a_reply_form(self, desk, web_request):
        html = desk.client_for(desk.requester).get(url(web_request)).content.decode()
        assert f'action="{url(web_request)}reply/"' in html
        assert "Is your issue solved?" not in html

    def test_a_resolved_request_asks_whether_it_is_solved(self, desk, resolved):
        html = desk.client_for(desk.requester).get(url(resolved)).content.decode()
        assert "Is your issue solved?" in html
        assert "Yes, close it" in html and "still a problem" in html
        assert "Replaced the fuser unit." in html
        assert f'action="{url(resolved)}reply/"' not in html

    def test_a_closed_request_is_read_only(self, desk, closed):
        html = desk.client_for(desk.requester).get(url(closed)).content.decode()
        assert "This request is closed" in html
        assert "reply/" not in html and "confirm/" not in html and "reopen/" not in html


class TestQueries:
    def test_the_page_costs_the_same_queries_for_1_or_20_comments(self, desk, web_request):
        client = desk.client_for(desk.requester)

        def chat(n):
            for i in range(n):
                services.add_comment(
                    desk.operator, web_request, f"Reply {i}", uploads=[Upload(f"{i}.txt", b"x")]
                )
                services.add_comment(desk.requester, web_request, f"Answer {i}")

        chat(1)
        page_queries(client, url(web_request))  # the process's configuration cache warms up
        few = page_queries(client, url(web_request))
        chat(19)
        resolve(desk, web_request)
        add_secrets(desk, web_request)
        assert_same_count(few, page_queries(client, url(web_request)))
