"""Signing in to the API: personal tokens for scripts, the session (with CSRF) for browsers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tuki.accounts.models import ApiToken
from tuki.accounts.tokens import issue_token, user_for_token
from tuki.lib.testing import query_budget

ME = "/api/v1/users/me"


def bearer(raw: str) -> Client:
    return Client(headers={"authorization": f"Bearer {raw}"})


class TestTokens:
    def test_a_token_signs_its_owner_in(self, desk):
        response = bearer(issue_token(desk.operator)).get(ME)
        assert response.status_code == 200
        assert response.json()["email"] == "operator@tuki.test"

    @pytest.mark.parametrize(
        "header",
        ["Bearer tuki_wrong", "Bearer ", "Bearer not-even-ours", "Basic b3A6cHc=", "tuki_x"],
    )
    def test_a_bad_token_is_a_401_json(self, desk, header):
        response = Client(headers={"authorization": header}).get(ME)
        assert response.status_code == 401
        assert response.json() == {"detail": "Unauthorized"}

    def test_a_bad_token_on_a_write_is_a_401_not_a_csrf_failure(self, desk):
        response = bearer("tuki_wrong").post(
            "/api/v1/tickets", {"title": "x"}, content_type="application/json"
        )
        assert response.status_code == 401

    def test_no_credentials_is_a_401(self, db):
        assert Client().get(ME).status_code == 401

    def test_an_expired_token_is_refused(self, desk):
        raw = issue_token(desk.operator)
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        assert bearer(raw).get(ME).status_code == 401

    def test_a_deactivated_user_is_refused(self, desk):
        raw = issue_token(desk.operator)
        desk.operator.is_active = False
        desk.operator.save()
        assert bearer(raw).get(ME).status_code == 401

    def test_only_a_digest_is_stored(self, desk):
        raw = issue_token(desk.operator, name="monitoring")
        token = ApiToken.objects.get()
        assert raw.startswith("tuki_")
        assert token.digest == ApiToken.hash(raw) != raw
        assert token.name == "monitoring"

    def test_last_use_is_recorded_at_most_once_a_minute(self, desk):
        raw = issue_token(desk.operator)
        assert user_for_token(raw) == desk.operator
        first = ApiToken.objects.get().last_used_at
        assert first is not None
        with query_budget(1, exact=True):  # the lookup only, no write
            user_for_token(raw)
        assert ApiToken.objects.get().last_used_at == first
        ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
        user_for_token(raw)
        assert ApiToken.objects.get().last_used_at > first - timedelta(minutes=2)


class TestSession:
    def test_the_browser_session_reads(self, desk):
        client = Client(enforce_csrf_checks=True)
        client.force_login(desk.requester)
        assert client.get(ME).json()["email"] == "maija@acme.fi"

    def test_a_session_write_without_the_csrf_token_is_refused(self, desk):
        client = Client(enforce_csrf_checks=True)
        client.force_login(desk.requester)
        response = client.post("/api/v1/tickets", {"title": "x"}, content_type="application/json")
        assert response.status_code == 403

    def test_a_session_write_with_the_csrf_token_passes(self, desk):
        client = Client(enforce_csrf_checks=True)
        client.force_login(desk.requester)
        client.get("/api/v1/docs")  # any page that renders the token sets the cookie
        token = client.cookies["csrftoken"].value
        response = client.post(
            "/api/v1/tickets",
            {"title": "Printer"},
            content_type="application/json",
            headers={"x-csrftoken": token},
        )
        assert response.status_code == 201, response.content

    def test_a_token_needs_no_csrf_token(self, desk):
        client = Client(
            enforce_csrf_checks=True,
            headers={"authorization": f"Bearer {issue_token(desk.requester)}"},
        )
        response = client.post("/api/v1/tickets", {"title": "x"}, content_type="application/json")
        assert response.status_code == 201
