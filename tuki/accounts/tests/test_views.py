"""Sign in, the landing redirect, preferences and the configuration pages, per role."""

import pytest
from django.test import Client

from tuki.conftest import PASSWORD


class TestSignIn:
    def test_email_and_password_sign_in(self, desk):
        client = Client()
        response = client.post("/login/", {"username": "operator@tuki.test", "password": PASSWORD})
        assert response.status_code == 302
        assert client.get("/").url == "/desk/"

    def test_a_wrong_password_says_so_and_keeps_the_user_out(self, desk):
        client = Client()
        response = client.post("/login/", {"username": "operator@tuki.test", "password": "nope"})
        assert response.status_code == 200
        assert b"alert-danger" in response.content
        assert client.get("/").status_code == 302
        assert client.get("/").url.startswith("/login/")

    def test_sign_out_needs_a_post(self, desk):
        client = desk.client_for(desk.requester)
        assert client.post("/logout/").status_code == 302
        assert client.get("/preferences/").url.startswith("/login/")


class TestLanding:
    @pytest.mark.parametrize(
        ("who", "target"),
        [
            ("operator", "/desk/"),
            ("specialist", "/desk/"),
            ("admin", "/desk/"),
            ("requester", "/portal/"),
            ("outsider", "/portal/"),
        ],
    )
    def test_each_role_lands_where_it_works(self, desk, who, target):
        response = desk.client_for(getattr(desk, who)).get("/")
        assert response.status_code == 302 and response.url == target


class TestPreferences:
    def test_a_user_picks_language_and_time_zone(self, desk):
        client = desk.client_for(desk.requester)
        response = client.post(
            "/preferences/",
            {
                "full_name": "Maija M.",
                "phone": "",
                "language": "fi",
                "time_zone": "Europe/Helsinki",
            },
        )
        assert response.status_code == 302
        desk.requester.refresh_from_db()
        assert (desk.requester.language, desk.requester.time_zone) == ("fi", "Europe/Helsinki")
        assert "Asetukset" in client.get("/preferences/").content.decode()

    def test_an_unknown_time_zone_is_a_field_error_and_nothing_changes(self, desk):
        client = desk.client_for(desk.requester)
        response = client.post(
            "/preferences/",
            {"full_name": "X", "language": "en", "time_zone": "Mars/Olympus"},
        )
        assert response.status_code == 200
        assert "time_zone" in response.context["form"].errors
        desk.requester.refresh_from_db()
        assert desk.requester.full_name == "Maija Meikäläinen"

    def test_anonymous_users_are_sent_to_sign_in(self, client, desk):
        assert client.get("/preferences/").url.startswith("/login/")


class TestAdministration:
    @pytest.mark.parametrize("who", ["requester", "operator", "specialist"])
    def test_only_administrators_reach_configuration(self, desk, who):
        response = desk.client_for(getattr(desk, who)).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response.url

    @pytest.mark.parametrize(
        "page",
        [
            "accounts/supportgroup/",
            "accounts/organisation/",
            "tickets/category/",
            "tickets/status/",
            "tickets/statustransition/",
            "tickets/priorityrule/",
            "accounts/user/",
        ],
    )
    def test_administrators_configure_the_desk(self, desk, page):
        response = desk.client_for(desk.admin).get("/admin/" + page)
        assert response.status_code == 200

    def test_tickets_are_read_only_in_the_admin(self, desk, incident):
        client = desk.client_for(desk.admin)
        response = client.post(f"/admin/tickets/ticket/{incident.pk}/change/", {"title": "x"})
        assert response.status_code == 403
