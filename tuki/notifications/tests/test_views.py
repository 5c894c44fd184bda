"""The notification pages by role, the header bell, the watch button, and the list's budget."""

import pytest
from django.test import Client

from tuki.lib.testing import Queries, assert_same_count, query_budget
from tuki.notifications import services
from tuki.notifications.models import Notification, NotificationPreference

AGENTS = ["operator", "specialist", "lead", "other_agent", "admin"]
REQUESTERS = ["requester", "colleague", "outsider"]
HX = {"HTTP_HX_REQUEST": "true"}
# session, user, the user's groups (only notifications of tickets they may still see are
# listed: access.notifications_of), the page's count and rows (ticket and actor joined), the
# bell's count.
LIST_QUERIES = 6


def mine(desk, who, text="Look", ticket=None):
    return services.notify([getattr(desk, who)], ticket, "rule", text)[0]


class TestWhoMayEnter:
    PAGES = [
        "/notifications/",
        "/notifications/preferences/",
        "/notifications/bell/",
        "/notifications/latest/",
    ]

    @pytest.mark.parametrize("url", PAGES)
    def test_anonymous_visitors_sign_in_first(self, desk, url):
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith("/login/")

    @pytest.mark.parametrize("who", REQUESTERS)
    @pytest.mark.parametrize("url", PAGES)
    def test_requesters_go_to_the_portal(self, desk, who, url):
        response = desk.client_for(getattr(desk, who)).get(url)
        assert response.status_code == 302 and response.url == "/portal/"

    @pytest.mark.parametrize("who", AGENTS)
    @pytest.mark.parametrize("url", PAGES)
    def test_agents_and_administrators_enter(self, desk, who, url):
        assert desk.client_for(getattr(desk, who)).get(url).status_code == 200

    @pytest.mark.parametrize("url", ["/notifications/read/", "/notifications/1/read/"])
    def test_marking_read_needs_a_post(self, desk, url):
        assert desk.client_for(desk.lead).get(url).status_code == 405


class TestTheList:
    def test_shows_my_notifications_unread_first_linking_the_ticket(self, desk, escalated):
        read = mine(desk, "lead", "Old news", escalated)
        services.mark_read(desk.lead, [read.pk])
        unread = mine(desk, "lead", "Fresh news", escalated)
        mine(desk, "specialist", "Not for the lead")
        html = desk.client_for(desk.lead).get("/notifications/").content.decode()
        assert html.index("Fresh news") < html.index("Old news")
        assert "Not for the lead" not in html
        assert f'href="/notifications/{unread.pk}/open/"' in html
        assert escalated.number in html

    def test_an_empty_list_says_so(self, desk):
        html = desk.client_for(desk.lead).get("/notifications/").content.decode()
        assert "Nothing to tell you yet." in html

    def test_htmx_gets_only_the_fragment(self, desk):
        html = desk.client_for(desk.lead).get("/notifications/", **HX).content.decode()
        assert html.startswith('<section id="notification-list"')

    def test_pages_of_thirty(self, desk):
        for i in range(31):
            mine(desk, "lead", f"n{i}")
        client = desk.client_for(desk.lead)
        assert client.get("/notifications/").context["page"].paginator.num_pages == 2
        assert len(client.get("/notifications/", {"page": 2}).context["notifications"]) == 1
        assert client.get("/notifications/", {"page": "x"}).status_code == 200


class TestMarkRead:
    def test_one_of_mine_by_htmx_returns_the_row_and_refreshes_the_bell(self, desk):
        n = mine(desk, "lead")
        response = desk.client_for(desk.lead).post(f"/notifications/{n.pk}/read/", **HX)
        assert response.status_code == 200
        assert "notifications-changed" in response["HX-Trigger"]
        assert "notification-unread" not in response.content.decode()
        n.refresh_from_db()
        assert n.read_at is not None

    def test_without_javascript_back_to_the_list(self, desk):
        n = mine(desk, "lead")
        response = desk.client_for(desk.lead).post(f"/notifications/{n.pk}/read/")
        assert response.status_code == 302 and response.url == "/notifications/"

    @pytest.mark.parametrize("who", ["specialist", "other_agent", "admin"])
    def test_someone_elses_is_not_found(self, desk, who):
        n = mine(desk, "lead")
        client = desk.client_for(getattr(desk, who))
        assert client.post(f"/notifications/{n.pk}/read/").status_code == 404
        assert client.get(f"/notifications/{n.pk}/open/").status_code == 404
        n.refresh_from_db()
        assert n.read_at is None

    @pytest.mark.parametrize("who", REQUESTERS)
    def test_requesters_cannot(self, desk, who):
        n = mine(desk, "lead")
        response = desk.client_for(getattr(desk, who)).post(f"/notifications/{n.pk}/read/")
        assert response.status_code == 302
        n.refresh_from_db()
        assert n.read_at is None

    def test_anonymous_cannot(self, desk):
        n = mine(desk, "lead")
        response = Client().post(f"/notifications/{n.pk}/read/")
        assert response.status_code == 302 and response.url.startswith("/login/")

    def test_all_of_mine_and_only_mine(self, desk):
        mine(desk, "lead")
        mine(desk, "lead")
        theirs = mine(desk, "specialist")
        response = desk.client_for(desk.lead).post("/notifications/read/", **HX)
        assert response.status_code == 200 and "notifications-changed" in response["HX-Trigger"]
        assert services.unread_count(desk.lead) == 0
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_all_without_javascript(self, desk):
        mine(desk, "lead")
        response = desk.client_for(desk.lead).post("/notifications/read/", follow=True)
        assert "1 notifications marked read." in response.content.decode()


class TestOpen:
    def test_follows_the_link_and_marks_it_read(self, desk, escalated):
        n = mine(desk, "lead", ticket=escalated)
        response = desk.client_for(desk.lead).get(f"/notifications/{n.pk}/open/")
        assert response.status_code == 302 and response.url == f"/desk/tickets/{escalated.number}/"
        n.refresh_from_db()
        assert n.read_at is not None

    def test_a_notification_without_a_link_opens_the_list(self, desk):
        n = mine(desk, "lead")
        response = desk.client_for(desk.lead).get(f"/notifications/{n.pk}/open/")
        assert response.url == "/notifications/"

    def test_a_link_elsewhere_is_never_followed(self, desk):
        n = mine(desk, "lead")
        Notification.objects.filter(pk=n.pk).update(url="https://evil.example/")
        response = desk.client_for(desk.lead).get(f"/notifications/{n.pk}/open/")
        assert response.url == "/notifications/"


class TestBell:
    def test_agents_see_the_unread_count_in_the_header(self, desk):
        mine(desk, "operator")
        mine(desk, "operator")
        html = desk.client_for(desk.operator).get("/desk/").content.decode()
        assert 'id="notification-bell"' in html
        assert '<span class="badge rounded-pill text-bg-danger notification-count"' in html
        assert ">2</span>" in html

    def test_no_badge_when_all_is_read(self, desk):
        html = desk.client_for(desk.operator).get("/desk/").content.decode()
        assert 'id="notification-bell"' in html and "notification-count" not in html

    def test_many_are_shown_as_99_plus(self, desk):
        Notification.objects.bulk_create(
            Notification(recipient=desk.operator, kind="rule", text="x") for _ in range(120)
        )
        html = desk.client_for(desk.operator).get("/notifications/bell/").content.decode()
        assert ">99+</span>" in html

    @pytest.mark.parametrize("who", REQUESTERS)
    def test_requesters_have_no_bell(self, desk, who):
        html = desk.client_for(getattr(desk, who)).get("/portal/").content.decode()
        assert "notification-bell" not in html

    def test_the_dropdown_lists_the_latest_unread(self, desk):
        for i in range(8):
            mine(desk, "lead", f"item {i}")
        html = desk.client_for(desk.lead).get("/notifications/latest/").content.decode()
        assert "item 7" in html and "item 2" in html and "item 1" not in html

    def test_the_dropdown_when_nothing_is_unread(self, desk):
        html = desk.client_for(desk.lead).get("/notifications/latest/").content.decode()
        assert "No unread notifications." in html

    def test_the_count_is_one_query_and_only_once(self, desk):
        client = desk.client_for(desk.operator)
        client.get("/notifications/bell/")
        with query_budget() as queries:
            client.get("/notifications/bell/")
        counts = [q["sql"] for q in queries if "notifications_notification" in q["sql"]]
        assert len(counts) == 1


class TestPreferencesPage:
    def test_shows_a_row_per_kind_with_the_defaults(self, desk):
        response = desk.client_for(desk.lead).get("/notifications/preferences/")
        html = response.content.decode()
        assert html.count('name="mention__email"') == 1
        assert 'name="mention__email" id="id_mention__email" checked' in html
        assert 'name="group_ticket__email" id="id_group_ticket__email" aria' in html

    def test_saving_keeps_what_was_ticked(self, desk):
        client = desk.client_for(desk.lead)
        response = client.post(
            "/notifications/preferences/", {"mention__in_app": "on", "group_ticket__email": "on"}
        )
        assert response.status_code == 302
        prefs = services.preferences_of(desk.lead)
        assert prefs["mention"] == (True, False)
        assert prefs["group_ticket"] == (False, True)
        assert prefs["assigned_to_me"] == (False, False)

    def test_the_accounts_preferences_page_links_it_for_agents(self, desk):
        html = desk.client_for(desk.lead).get("/preferences/").content.decode()
        assert 'href="/notifications/preferences/"' in html
        html = desk.client_for(desk.requester).get("/preferences/").content.decode()
        assert "/notifications/preferences/" not in html

    @pytest.mark.parametrize("who", REQUESTERS)
    def test_requesters_cannot_save(self, desk, who):
        desk.client_for(getattr(desk, who)).post("/notifications/preferences/", {})
        assert not NotificationPreference.objects.exists()


class TestWatchButton:
    def url(self, ticket):
        return f"/notifications/watch/{ticket.number}/"

    @pytest.mark.parametrize("who", ["operator", "specialist", "lead", "admin"])
    def test_agents_who_see_the_ticket_watch_and_unwatch(self, desk, escalated, who):
        user = getattr(desk, who)
        client = desk.client_for(user)
        response = client.post(self.url(escalated), {"watch": "1"}, **HX)
        assert response.status_code == 200 and "Stop watching" in response.content.decode()
        assert escalated.watchers.filter(pk=user.pk).exists()
        response = client.post(self.url(escalated), {"watch": "0"})
        assert response.status_code == 302 and response.url == f"/desk/tickets/{escalated.number}/"
        assert not escalated.watchers.exists()

    @pytest.mark.parametrize("who", ["other_agent", *REQUESTERS])
    def test_others_find_nothing(self, desk, escalated, who):
        response = desk.client_for(getattr(desk, who)).post(self.url(escalated), {"watch": "1"})
        assert response.status_code == 404
        assert not escalated.watchers.exists()

    def test_anonymous_visitors_sign_in(self, desk, escalated):
        response = Client().post(self.url(escalated), {"watch": "1"})
        assert response.status_code == 302 and response.url.startswith("/login/")

    def test_a_get_changes_nothing(self, desk, escalated):
        assert desk.client_for(desk.lead).get(self.url(escalated)).status_code == 405

    def test_the_ticket_page_shows_the_button_for_the_state(self, desk, escalated):
        client = desk.client_for(desk.lead)
        page = f"/desk/tickets/{escalated.number}/"
        assert 'id="watch-ticket"' in client.get(page).content.decode()
        assert 'bi-eye"></i> Watch' in client.get(page).content.decode()
        client.post(self.url(escalated), {"watch": "1"})
        assert "Stop watching" in client.get(page).content.decode()


class TestQueryBudget:
    def count(self, desk) -> Queries:
        client = desk.client_for(desk.lead)
        client.get("/notifications/")
        with query_budget(LIST_QUERIES, exact=True) as queries:
            response = client.get("/notifications/")
        assert response.status_code == 200
        return queries

    def test_the_list_runs_the_same_queries_for_3_or_30(self, desk, escalated):
        for i in range(3):
            services.notify([desk.lead], escalated, "rule", f"n{i}", actor=desk.operator)
        few = self.count(desk)
        for i in range(27):
            services.notify([desk.lead], escalated if i % 2 else None, "mention", f"m{i}")
        assert_same_count(few, self.count(desk))
