"""Personal API tokens: they expire, their owner lists and revokes them, on a page and by API."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tuki.accounts.models import ApiToken
from tuki.accounts.tokens import issue_token
from tuki.lib.testing import query_budget
from tuki.tickets.tests.test_api_support import ROLES, client_as, error_fields

ME = "/api/v1/users/me"
TOKENS = "/api/v1/me/tokens"
PAGE = "/preferences/tokens/"
PEOPLE = ["requester", "colleague", "outsider", "operator", "specialist", "other_agent", "admin"]


def bearer(raw: str) -> Client:
    return Client(headers={"authorization": f"Bearer {raw}"})


def session_api(desk, user) -> Client:
    """A signed-in browser calling the API (with its CSRF token), as the web UI does."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(PAGE)
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


class TestExpiry:
    def test_a_new_token_expires_after_the_default_days(self, desk, settings):
        settings.API_TOKEN_DAYS = 90
        issue_token(desk.operator)
        token = ApiToken.objects.get()
        assert token.expires_at == token.created_at + timedelta(days=90)

    def test_it_stops_working_when_it_expires(self, desk, settings):
        settings.API_TOKEN_DAYS = 30
        raw = issue_token(desk.operator)
        with time_machine.travel(timezone.now() + timedelta(days=29), tick=False):
            assert bearer(raw).get(ME).status_code == 200
        with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
            assert bearer(raw).get(ME).status_code == 401

    def test_never_is_refused_unless_the_desk_allows_it(self, desk, settings):
        settings.API_TOKEN_MAY_NEVER_EXPIRE = False
        with pytest.raises(CommandError, match="must expire"):
            call_command("api_token", "operator@tuki.test", "--never", stdout=io.StringIO())
        settings.API_TOKEN_MAY_NEVER_EXPIRE = True
        call_command(
            "api_token", "operator@tuki.test", "--never", stdout=io.StringIO(), stderr=io.StringIO()
        )
        assert ApiToken.objects.get().expires_at is None

    def test_the_command_takes_a_lifetime(self, desk):
        call_command(
            "api_token",
            "operator@tuki.test",
            "--days",
            "7",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
        token = ApiToken.objects.get()
        assert token.expires_at - token.created_at == timedelta(days=7)

    def test_the_command_refuses_a_lifetime_over_the_maximum(self, desk, settings):
        settings.API_TOKEN_MAX_DAYS = 365
        with pytest.raises(CommandError, match="365"):
            call_command("api_token", "operator@tuki.test", "--days", "400", stdout=io.StringIO())
        assert not ApiToken.objects.exists()

    def test_deactivating_a_user_revokes_their_tokens(self, desk):
        issue_token(desk.operator)
        desk.operator.is_active = False
        desk.operator.save()
        assert not ApiToken.objects.exists()

    def test_saving_a_profile_keeps_the_tokens(self, desk):
        raw = issue_token(desk.operator)
        desk.operator.full_name = "Olli Operator"
        desk.operator.save()
        assert bearer(raw).get(ME).status_code == 200

    def test_an_admin_password_change_revokes_tokens(self, desk):
        raw = issue_token(desk.operator)
        client = desk.client_for(desk.admin)
        response = client.post(
            f"/admin/accounts/user/{desk.operator.pk}/password/",
            {"password1": "an-admin-chosen-one", "password2": "an-admin-chosen-one"},
        )
        assert response.status_code == 302, response.content
        assert bearer(raw).get(ME).status_code == 401


class TestPage:
    @pytest.mark.parametrize("role", PEOPLE)
    def test_everyone_sees_only_their_own_tokens(self, desk, role):
        user = getattr(desk, role)
        issue_token(user, name="mine")
        other = desk.colleague if user != desk.colleague else desk.requester
        issue_token(other, name="someone-elses")
        page = desk.client_for(user).get(PAGE)
        assert page.status_code == 200
        text = page.content.decode()
        assert "mine" in text and "someone-elses" not in text

    def test_anonymous_visitors_are_sent_to_sign_in(self, desk):
        assert Client().get(PAGE).url.startswith("/login/")

    def test_a_token_is_shown_once_and_never_again(self, desk):
        client = desk.client_for(desk.requester)
        response = client.post(PAGE, {"name": "backup script", "expires_in_days": "30"})
        assert response.status_code == 200
        raw = response.context["raw_token"]
        assert raw.startswith("tuki_") and raw in response.content.decode()
        assert bearer(raw).get(ME).json()["email"] == "maija@acme.fi"
        again = client.get(PAGE).content.decode()
        assert raw not in again and "backup script" in again
        token = ApiToken.objects.get()
        assert token.expires_at - token.created_at == timedelta(days=30)

    def test_the_list_shows_created_last_used_and_expiry(self, desk):
        raw = issue_token(desk.requester, name="ci")
        bearer(raw).get(ME)
        page = desk.client_for(desk.requester).get(PAGE).content.decode()
        token = ApiToken.objects.get()
        assert token.hint in page and token.last_used_at is not None
        listed = page.split('id="tokens"')[1].split("</ul>")[0]
        assert "Last used" in listed and "never" not in listed

    def test_never_is_offered_only_when_allowed(self, desk, settings):
        client = desk.client_for(desk.requester)
        response = client.post(PAGE, {"name": "x", "expires_in_days": "0"})
        assert "expires_in_days" in response.context["form"].errors
        assert not ApiToken.objects.exists()
        settings.API_TOKEN_MAY_NEVER_EXPIRE = True
        response = client.post(PAGE, {"name": "x", "expires_in_days": "0"})
        assert ApiToken.objects.get().expires_at is None

    def test_a_long_name_is_a_field_error(self, desk):
        client = desk.client_for(desk.requester)
        response = client.post(PAGE, {"name": "x" * 101, "expires_in_days": "30"})
        assert "name" in response.context["form"].errors
        assert not ApiToken.objects.exists()

    def test_the_owner_revokes_a_token(self, desk):
        raw = issue_token(desk.requester)
        token = ApiToken.objects.get()
        client = desk.client_for(desk.requester)
        response = client.post(f"{PAGE}{token.pk}/revoke/")
        assert response.status_code == 302 and response.url == PAGE
        assert bearer(raw).get(ME).status_code == 401

    @pytest.mark.parametrize("role", ["colleague", "operator", "admin"])
    def test_another_persons_token_is_a_404_on_this_page(self, desk, role):
        issue_token(desk.requester)
        token = ApiToken.objects.get()
        response = desk.client_for(getattr(desk, role)).post(f"{PAGE}{token.pk}/revoke/")
        assert response.status_code == 404
        assert ApiToken.objects.exists()

    def test_revoking_needs_a_post(self, desk):
        issue_token(desk.requester)
        token = ApiToken.objects.get()
        assert desk.client_for(desk.requester).get(f"{PAGE}{token.pk}/revoke/").status_code == 405

    def test_the_page_reads_a_fixed_number_of_queries(self, desk):
        client = desk.client_for(desk.requester)
        client.get(PAGE)
        issue_token(desk.requester)
        with query_budget(6) as few:
            client.get(PAGE)
        for n in range(5):
            issue_token(desk.requester, name=f"t{n}")
        with query_budget(6) as many:
            client.get(PAGE)
        assert len(few.sql) == len(many.sql)


class TestAdministrators:
    def test_an_administrator_revokes_anyones_token_in_the_admin(self, desk):
        raw = issue_token(desk.requester)
        token = ApiToken.objects.get()
        client = desk.client_for(desk.admin)
        assert client.get("/admin/accounts/apitoken/").status_code == 200
        response = client.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        assert bearer(raw).get(ME).status_code == 401

    def test_nobody_mints_a_token_in_the_admin(self, desk):
        response = desk.client_for(desk.admin).get("/admin/accounts/apitoken/add/")
        assert response.status_code == 403


class TestApi:
    @pytest.mark.parametrize("role", ROLES)
    def test_list_is_my_own_tokens(self, desk, role):
        issue_token(desk.colleague if role != "colleague" else desk.requester, name="not-mine")
        response = client_as(desk, role).get(TOKENS)
        if role in {"anonymous", "bad_token"}:
            assert response.status_code == 401
            return
        assert response.status_code == 200
        body = response.json()
        # client_as signs in with a fresh token of the role's own: that is the only one listed.
        assert len(body) == 1
        assert set(body[0]) == {"id", "name", "hint", "created_at", "last_used_at", "expires_at"}

    @pytest.mark.parametrize("role", PEOPLE)
    def test_a_signed_in_browser_creates_a_token(self, desk, role):
        client = session_api(desk, getattr(desk, role))
        response = client.post(
            TOKENS, {"name": "ci", "expires_in_days": 7}, content_type="application/json"
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["token"].startswith("tuki_") and body["name"] == "ci"
        assert bearer(body["token"]).get(ME).json()["email"] == getattr(desk, role).email
        listed = client.get(TOKENS).json()
        assert [t["id"] for t in listed] == [body["id"]] and "token" not in listed[0]

    def test_a_token_may_not_mint_more_tokens(self, desk):
        response = client_as(desk, "operator").post(
            TOKENS, {"name": "child"}, content_type="application/json"
        )
        assert response.status_code == 403
        assert ApiToken.objects.count() == 1

    def test_anonymous_callers_create_nothing(self, desk):
        response = Client().post(TOKENS, {"name": "x"}, content_type="application/json")
        assert response.status_code == 401

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": "x" * 101}, "name"),
            ({"expires_in_days": 0}, "expires_in_days"),
            ({"expires_in_days": 366}, "expires_in_days"),
            ({"expires_in_days": -1}, "expires_in_days"),
            ({"expires_in_days": 2**70}, "expires_in_days"),
            ({"expires_in_days": "soon"}, "expires_in_days"),
            ({"name": "bad\ud800"}, "name"),
        ],
    )
    def test_bad_input_is_a_422_naming_the_field(self, desk, body, field):
        client = session_api(desk, desk.requester)
        response = client.post(TOKENS, body, content_type="application/json")
        assert field in error_fields(response)
        assert not ApiToken.objects.exists()

    def test_the_default_lifetime_applies_when_none_is_given(self, desk, settings):
        settings.API_TOKEN_DAYS = 14
        client = session_api(desk, desk.requester)
        client.post(TOKENS, {"name": "x"}, content_type="application/json")
        token = ApiToken.objects.get()
        assert token.expires_at - token.created_at == timedelta(days=14)

    def test_the_owner_revokes_by_api(self, desk):
        raw = issue_token(desk.requester)
        token = ApiToken.objects.get()
        client = session_api(desk, desk.requester)
        assert client.delete(f"{TOKENS}/{token.pk}").status_code == 204
        assert bearer(raw).get(ME).status_code == 401

    def test_a_token_revokes_itself(self, desk):
        raw = issue_token(desk.requester)
        token = ApiToken.objects.get()
        assert bearer(raw).delete(f"{TOKENS}/{token.pk}").status_code == 204
        assert bearer(raw).get(ME).status_code == 401

    @pytest.mark.parametrize("role", ROLES)
    def test_another_persons_token_is_a_404(self, desk, role):
        issue_token(desk.requester)
        token = ApiToken.objects.get(user=desk.requester)
        if role == "requester":
            return  # their own: covered above
        response = client_as(desk, role).delete(f"{TOKENS}/{token.pk}")
        assert response.status_code == (401 if role in {"anonymous", "bad_token"} else 404)
        assert ApiToken.objects.filter(pk=token.pk).exists()

    @pytest.mark.parametrize("token_id", ["0", str(2**64), "¹³", "abc"])
    def test_a_bad_id_is_a_client_error(self, desk, token_id):
        response = session_api(desk, desk.requester).delete(f"{TOKENS}/{token_id}")
        assert response.status_code in {404, 422}


class TestAdministratorsApi:
    @pytest.mark.parametrize("role", ROLES)
    def test_only_administrators_list_a_persons_tokens(self, desk, role):
        issue_token(desk.requester, name="maijas")
        response = client_as(desk, role).get(f"/api/v1/users/{desk.requester.pk}/tokens")
        expected = {"anonymous": 401, "bad_token": 401, "admin": 200}.get(role, 403)
        assert response.status_code == expected
        if expected == 200:
            assert [t["name"] for t in response.json()] == ["maijas"]

    @pytest.mark.parametrize("role", ROLES)
    def test_only_administrators_revoke_anyones_token(self, desk, role):
        raw = issue_token(desk.requester)
        token = ApiToken.objects.get(user=desk.requester, digest=ApiToken.hash(raw))
        client = client_as(desk, role)
        response = client.delete(f"/api/v1/users/{desk.requester.pk}/tokens/{token.pk}")
        expected = {"anonymous": 401, "bad_token": 401, "admin": 204}.get(role, 403)
        if role == "requester":
            expected = 403  # their own go through /me/tokens
        assert response.status_code == expected
        assert ApiToken.objects.filter(pk=token.pk).exists() is (expected != 204)

    def test_a_token_of_someone_else_under_this_person_is_a_404(self, desk):
        issue_token(desk.colleague)
        token = ApiToken.objects.get(user=desk.colleague)
        client = client_as(desk, "admin")
        assert (
            client.delete(f"/api/v1/users/{desk.requester.pk}/tokens/{token.pk}").status_code == 404
        )
        assert client.get("/api/v1/users/999999/tokens").status_code == 404
        assert ApiToken.objects.filter(pk=token.pk).exists()
