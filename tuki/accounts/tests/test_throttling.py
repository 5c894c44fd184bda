"""Sign-in throttling: wrong passwords lock one email + client address pair for a while."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from tuki.accounts.throttling import client_ip, username_of
from tuki.conftest import PASSWORD

EMAIL = "operator@tuki.test"


def sign_in(client: Client, password: str, email: str = EMAIL, path: str = "/login/"):
    return client.post(path, {"username": email, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def hammer(client: Client, times: int, email: str = EMAIL) -> None:
    for n in range(times):
        sign_in(client, f"guess-{n}", email)


class TestLockout:
    def test_forty_wrong_passwords_then_the_right_one_does_not_sign_in(self, desk):
        client = Client(REMOTE_ADDR="203.0.113.7")
        hammer(client, 40)
        response = sign_in(client, PASSWORD)
        assert response.status_code == 429
        assert not signed_in(client)

    def test_the_locked_out_page_says_why_and_what_to_do(self, desk):
        client = Client(REMOTE_ADDR="203.0.113.7")
        hammer(client, 5)
        response = sign_in(client, PASSWORD)
        assert response.status_code == 429
        page = response.content.decode()
        assert 'id="locked-out"' in page
        assert "15 minutes" in page
        assert "/password-reset/" in page

    def test_the_locked_out_page_is_translated(self, desk):
        client = Client(REMOTE_ADDR="203.0.113.7", headers={"accept-language": "fi"})
        hammer(client, 5)
        page = sign_in(client, PASSWORD).content.decode()
        assert "Kirjautuminen keskeytetty" in page

    def test_four_failures_do_not_lock(self, desk):
        client = Client(REMOTE_ADDR="203.0.113.7")
        hammer(client, 4)
        assert sign_in(client, PASSWORD).status_code == 302
        assert signed_in(client)

    def test_after_the_cool_off_the_right_password_signs_in(self, desk):
        client = Client(REMOTE_ADDR="203.0.113.7")
        hammer(client, 40)
        with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
            assert sign_in(client, PASSWORD).status_code == 302
            assert signed_in(client)

    def test_another_address_is_not_locked_out(self, desk):
        hammer(Client(REMOTE_ADDR="203.0.113.7"), 40)
        elsewhere = Client(REMOTE_ADDR="198.51.100.20")
        assert sign_in(elsewhere, PASSWORD).status_code == 302
        assert signed_in(elsewhere)

    def test_other_people_at_the_same_address_are_not_locked_out(self, desk):
        client = Client(REMOTE_ADDR="203.0.113.7")
        hammer(client, 40)
        assert sign_in(client, PASSWORD, email="maija@acme.fi").status_code == 302

    def test_the_case_of_the_address_does_not_buy_more_guesses(self, desk):
        client = Client(REMOTE_ADDR="203.0.113.7")
        for n, variant in enumerate(["Operator@tuki.test", "OPERATOR@TUKI.TEST", EMAIL] * 2):
            sign_in(client, f"guess-{n}", variant)
        assert sign_in(client, PASSWORD).status_code == 429

    def test_the_admin_sign_in_is_throttled_too(self, desk):
        client = Client(REMOTE_ADDR="203.0.113.7")
        for n in range(5):
            sign_in(client, f"guess-{n}", "admin@tuki.test", path="/admin/login/")
        response = sign_in(client, PASSWORD, "admin@tuki.test", path="/admin/login/")
        assert response.status_code == 429
        assert not signed_in(client)

    @override_settings(AXES_FAILURE_LIMIT=2)
    def test_the_limit_is_a_setting(self, desk):
        client = Client(REMOTE_ADDR="203.0.113.7")
        hammer(client, 2)
        assert sign_in(client, PASSWORD).status_code == 429


class TestRecordAndUnlock:
    def test_failures_are_recorded_and_logged(self, desk, caplog):
        with caplog.at_level(logging.WARNING, logger="axes"):
            hammer(Client(REMOTE_ADDR="203.0.113.7"), 5)
        attempt = AccessAttempt.objects.get()
        assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
            EMAIL,
            "203.0.113.7",
            5,
        )
        assert AccessFailureLog.objects.filter(username=EMAIL).count() == 5
        assert any(
            EMAIL in r.getMessage() and "locking out" in r.getMessage().lower()
            for r in caplog.records
        )

    def test_an_administrator_unlocks_with_axes_reset_username(self, desk):
        client = Client(REMOTE_ADDR="203.0.113.7")
        hammer(client, 5)
        call_command("axes_reset_username", EMAIL)
        assert sign_in(client, PASSWORD).status_code == 302

    def test_administrators_see_the_attempts_in_the_admin(self, desk):
        hammer(Client(REMOTE_ADDR="203.0.113.7"), 5)
        response = desk.client_for(desk.admin).get("/admin/axes/accessattempt/")
        assert response.status_code == 200
        assert EMAIL in response.content.decode()

    def test_a_success_forgets_earlier_failures(self, desk):
        client = Client(REMOTE_ADDR="203.0.113.7")
        hammer(client, 4)
        sign_in(client, PASSWORD)
        client.post("/logout/")
        hammer(client, 4)
        assert sign_in(client, PASSWORD).status_code == 302


class TestSignals:
    """The audit log (another app) listens to Django's signals: throttling keeps them."""

    def test_failures_and_refusals_send_user_login_failed(self, desk):
        failed: list[dict] = []

        def on_failed(sender, credentials, request=None, **kwargs):
            failed.append(credentials)

        user_login_failed.connect(on_failed)
        try:
            hammer(Client(REMOTE_ADDR="203.0.113.7"), 7)  # 5 wrong, then 2 refused while locked
        finally:
            user_login_failed.disconnect(on_failed)
        assert len(failed) == 7
        assert all(c["username"] == EMAIL for c in failed)

    def test_a_sign_in_sends_user_logged_in(self, desk):
        seen: list[str] = []

        def on_in(sender, request, user, **kwargs):
            seen.append(user.email)

        user_logged_in.connect(on_in)
        try:
            sign_in(Client(), PASSWORD)
        finally:
            user_logged_in.disconnect(on_in)
        assert seen == [EMAIL]


class TestClientAddress:
    def request(self, remote: str, forwarded: str | None = None):
        meta = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            meta["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().get("/", **meta)

    def test_without_trusted_proxies_the_forwarded_header_is_ignored(self, settings):
        settings.TRUSTED_PROXIES = []
        assert client_ip(self.request("203.0.113.7", "10.9.9.9")) == "203.0.113.7"

    def test_behind_a_trusted_proxy_the_forwarded_client_counts(self, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
        assert client_ip(self.request("10.0.0.2", "198.51.100.20")) == "198.51.100.20"

    def test_a_client_cannot_choose_its_address_by_sending_the_header(self, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.2"]
        # The client wrote "1.2.3.4"; the proxy appended the address it really saw.
        request = self.request("10.0.0.2", "1.2.3.4, 198.51.100.20")
        assert client_ip(request) == "198.51.100.20"

    def test_a_chain_of_trusted_proxies_is_walked(self, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.0/8", "::1"]
        assert client_ip(self.request("::1", "198.51.100.20, 10.1.1.1")) == "198.51.100.20"

    def test_an_untrusted_peer_is_the_client_whatever_it_says(self, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
        assert client_ip(self.request("203.0.113.7", "10.0.0.5")) == "203.0.113.7"

    def test_garbage_in_the_header_stops_the_walk(self, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
        assert client_ip(self.request("10.0.0.2", "not-an-ip")) == "10.0.0.2"

    def test_lockout_follows_the_forwarded_client(self, desk, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.2"]
        proxy = {"REMOTE_ADDR": "10.0.0.2"}
        attacker = Client(**proxy, headers={"x-forwarded-for": "203.0.113.7"})
        hammer(attacker, 5)
        other = Client(**proxy, headers={"x-forwarded-for": "198.51.100.20"})
        assert sign_in(other, PASSWORD).status_code == 302
        assert sign_in(attacker, PASSWORD).status_code == 429

    def test_the_username_is_normalised(self):
        request = RequestFactory().post("/login/", {"username": " Maija@Acme.FI "})
        assert username_of(request, None) == "maija@acme.fi"
        assert username_of(request, {"username": "X@Y.z"}) == "x@y.z"


@pytest.mark.parametrize("who", ["requester", "operator", "admin"])
def test_everyone_signs_in_through_the_throttle(desk, who):
    user = getattr(desk, who)
    client = Client()
    assert sign_in(client, PASSWORD, user.email).status_code == 302
    assert signed_in(client)
