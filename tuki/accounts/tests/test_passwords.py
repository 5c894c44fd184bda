"""Changing a password from the preferences, and choosing a new one from a mailed link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from tuki.accounts.models import ApiToken, User
from tuki.accounts.tasks import send_password_reset
from tuki.accounts.tokens import issue_token
from tuki.conftest import PASSWORD
from tuki.mail.inbound.senders import resolve_sender

NEW = "a-brand-new-passphrase"
ME = "/api/v1/users/me"
ROLES = ["requester", "colleague", "outsider", "operator", "specialist", "other_agent", "admin"]


def sign_in(email: str, password: str, client: Client | None = None) -> Client | None:
    client = client or Client()
    client.post("/login/", {"username": email, "password": password})
    return client if "_auth_user_id" in client.session else None


def is_signed_in(client: Client) -> bool:
    return client.get("/preferences/").status_code == 200


class TestChange:
    @pytest.mark.parametrize("role", ROLES)
    def test_everyone_may_change_their_password(self, desk, role):
        response = desk.client_for(getattr(desk, role)).get("/preferences/password/")
        assert response.status_code == 200
        assert 'id="password-change"' in response.content.decode()

    def test_anonymous_visitors_are_sent_to_sign_in(self, desk):
        response = Client().get("/preferences/password/")
        assert response.status_code == 302 and response.url.startswith("/login/")

    def test_the_preferences_page_links_to_it(self, desk):
        page = desk.client_for(desk.requester).get("/preferences/").content.decode()
        assert "/preferences/password/" in page and "/preferences/tokens/" in page

    def test_a_change_keeps_this_session_and_ends_the_others(self, desk):
        here = sign_in(desk.requester.email, PASSWORD)
        there = sign_in(desk.requester.email, PASSWORD)
        assert here and there and is_signed_in(there)
        response = here.post(
            "/preferences/password/",
            {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
        )
        assert response.status_code == 302 and response.url == "/preferences/"
        assert is_signed_in(here)
        assert not is_signed_in(there)
        assert sign_in(desk.requester.email, NEW)
        assert not sign_in(desk.requester.email, PASSWORD)

    def test_a_change_revokes_every_api_token(self, desk):
        raws = [issue_token(desk.requester), issue_token(desk.requester, name="ci")]
        kept = issue_token(desk.colleague)
        client = desk.client_for(desk.requester)
        client.post(
            "/preferences/password/",
            {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
        )
        for raw in raws:
            assert Client(headers={"authorization": f"Bearer {raw}"}).get(ME).status_code == 401
        assert not ApiToken.objects.filter(user=desk.requester).exists()
        assert Client(headers={"authorization": f"Bearer {kept}"}).get(ME).status_code == 200

    def test_a_wrong_old_password_is_a_field_error_and_nothing_changes(self, desk):
        raw = issue_token(desk.requester)
        client = desk.client_for(desk.requester)
        response = client.post(
            "/preferences/password/",
            {"old_password": "nope", "new_password1": NEW, "new_password2": NEW},
        )
        assert response.status_code == 200
        assert "old_password" in response.context["form"].errors
        assert sign_in(desk.requester.email, PASSWORD)
        assert Client(headers={"authorization": f"Bearer {raw}"}).get(ME).status_code == 200

    def test_a_weak_or_mismatched_new_password_is_a_field_error(self, desk):
        client = desk.client_for(desk.requester)
        for one, two in [("password", "password"), (NEW, NEW + "x")]:
            response = client.post(
                "/preferences/password/",
                {"old_password": PASSWORD, "new_password1": one, "new_password2": two},
            )
            assert response.status_code == 200
            assert "new_password2" in response.context["form"].errors
        assert sign_in(desk.requester.email, PASSWORD)

    def test_a_rehash_on_sign_in_is_not_a_password_change(self, desk, settings):
        raw = issue_token(desk.requester)
        settings.PASSWORD_HASHERS = [
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
            "django.contrib.auth.hashers.MD5PasswordHasher",
        ]
        assert sign_in(desk.requester.email, PASSWORD)  # upgrades the MD5 hash to PBKDF2
        desk.requester.refresh_from_db()
        assert desk.requester.password.startswith("pbkdf2_")
        assert Client(headers={"authorization": f"Bearer {raw}"}).get(ME).status_code == 200


def reset_link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/password-reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def ask_for_reset(email: str, client: Client | None = None, **extra: object):
    return (client or Client()).post("/password-reset/", {"email": email}, **extra)


def choose_password(link: str, password: str = NEW) -> tuple[Client, object]:
    client = Client()
    form = client.get(link, follow=True)  # Django moves the token into the session first
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"new_password1": password, "new_password2": password},
    )
    return client, response


class TestReset:
    def test_request_mail_link_new_password_sign_in(self, desk, settings):
        settings.SITE_URL = "https://desk.example.com"
        settings.DEFAULT_FROM_EMAIL = "Acme Service Desk <help@desk.example.com>"
        response = ask_for_reset("Maija@Acme.fi")
        assert response.status_code == 302 and response.url == "/password-reset/sent/"
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["maija@acme.fi"]
        assert message.from_email == "Acme Service Desk <help@desk.example.com>"
        assert "https://desk.example.com/password-reset/" in message.body
        _client, response = choose_password(reset_link(message))
        assert response.status_code == 302 and response.url == "/password-reset/done/"
        assert sign_in("maija@acme.fi", NEW)
        assert not sign_in("maija@acme.fi", PASSWORD)

    def test_an_unknown_address_gets_the_same_answer_and_no_mail(self, desk):
        known = ask_for_reset("maija@acme.fi")
        unknown = ask_for_reset("nobody@acme.fi")
        assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
        assert [m.to for m in mail.outbox] == [["maija@acme.fi"]]
        page = Client().get(unknown.url).content.decode()
        assert "If an account uses that address" in page

    def test_an_inactive_account_gets_no_mail(self, desk):
        desk.requester.is_active = False
        desk.requester.save()
        assert ask_for_reset("maija@acme.fi").status_code == 302
        assert mail.outbox == []

    def test_the_link_is_built_on_the_site_url_not_the_host_header(self, desk, settings):
        settings.SITE_URL = "https://desk.example.com"
        settings.ALLOWED_HOSTS = ["desk.example.com", "evil.example.net"]
        ask_for_reset("maija@acme.fi", HTTP_HOST="evil.example.net")
        assert "evil.example.net" not in mail.outbox[0].body
        assert "https://desk.example.com/password-reset/" in mail.outbox[0].body

    def test_the_link_works_once(self, desk):
        ask_for_reset("maija@acme.fi")
        link = reset_link(mail.outbox[0])
        choose_password(link)
        client, response = choose_password(link, "yet-another-passphrase")
        assert response.status_code == 200
        assert 'id="password-link-invalid"' in response.content.decode()
        assert sign_in("maija@acme.fi", NEW)

    def test_the_link_expires(self, desk, settings):
        settings.PASSWORD_RESET_TIMEOUT = 3600
        ask_for_reset("maija@acme.fi")
        link = reset_link(mail.outbox[0])
        assert "60 minutes" in mail.outbox[0].body
        with time_machine.travel(timezone.now() + timedelta(minutes=61), tick=False):
            _client, response = choose_password(link)
        assert 'id="password-link-invalid"' in response.content.decode()
        assert sign_in("maija@acme.fi", PASSWORD)

    def test_a_requester_created_from_mail_sets_a_first_password(self, desk):
        person = resolve_sender("new.person@acme.fi", "New Person", None)
        assert not person.has_usable_password()
        ask_for_reset("new.person@acme.fi")
        assert [m.to for m in mail.outbox] == [["new.person@acme.fi"]]
        choose_password(reset_link(mail.outbox[0]))
        assert sign_in("new.person@acme.fi", NEW)

    def test_the_mail_is_in_the_persons_language(self, desk):
        User.objects.filter(pk=desk.requester.pk).update(language="fi")
        ask_for_reset("maija@acme.fi")
        assert "salasana" in mail.outbox[0].subject.lower()

    def test_a_reset_revokes_tokens_and_ends_sessions(self, desk):
        raw = issue_token(desk.requester)
        session = sign_in("maija@acme.fi", PASSWORD)
        assert session
        ask_for_reset("maija@acme.fi")
        choose_password(reset_link(mail.outbox[0]))
        assert Client(headers={"authorization": f"Bearer {raw}"}).get(ME).status_code == 401
        assert not is_signed_in(session)

    def test_a_reset_lifts_the_sign_in_lockout(self, desk):
        attacker = Client(REMOTE_ADDR="203.0.113.7")
        for n in range(6):
            attacker.post("/login/", {"username": "maija@acme.fi", "password": f"guess-{n}"})
        ask_for_reset("maija@acme.fi")
        choose_password(reset_link(mail.outbox[0]))
        assert sign_in("maija@acme.fi", NEW, Client(REMOTE_ADDR="203.0.113.7"))

    def test_asking_again_at_once_sends_no_second_mail(self, desk):
        for _ in range(5):
            assert ask_for_reset("maija@acme.fi").url == "/password-reset/sent/"
        assert len(mail.outbox) == 1
        with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
            ask_for_reset("maija@acme.fi")
        assert len(mail.outbox) == 2

    def test_the_task_run_twice_mails_once(self, desk):
        send_password_reset.call(desk.requester.pk)
        assert send_password_reset.call(desk.requester.pk) == "a link was mailed moments ago"
        assert len(mail.outbox) == 1

    def test_a_bad_address_is_a_field_error(self, desk):
        response = ask_for_reset("not an address")
        assert response.status_code == 200
        assert "email" in response.context["form"].errors
        assert mail.outbox == []

    @pytest.mark.parametrize(
        "path", ["/password-reset/", "/password-reset/sent/", "/password-reset/done/"]
    )
    @pytest.mark.parametrize("role", ["anonymous", *ROLES])
    def test_the_reset_pages_open_for_everyone(self, desk, path, role):
        client = Client() if role == "anonymous" else desk.client_for(getattr(desk, role))
        assert client.get(path).status_code == 200

    def test_the_sign_in_page_links_to_the_reset(self, desk):
        assert "/password-reset/" in Client().get("/login/").content.decode()


class TestSessionLifetime:
    def test_a_session_ends_after_the_session_age(self, desk, settings):
        settings.SESSION_COOKIE_AGE = 3600
        client = sign_in("maija@acme.fi", PASSWORD)
        assert client
        with time_machine.travel(timezone.now() + timedelta(minutes=59), tick=False):
            assert is_signed_in(client)
        with time_machine.travel(timezone.now() + timedelta(minutes=61), tick=False):
            assert not is_signed_in(client)

    def test_the_age_counts_from_sign_in_not_from_the_last_request(self, desk, settings):
        settings.SESSION_COOKIE_AGE = 3600
        client = sign_in("maija@acme.fi", PASSWORD)
        assert client
        start = timezone.now()
        with time_machine.travel(start + timedelta(minutes=50), tick=False):
            assert is_signed_in(client)
        with time_machine.travel(start + timedelta(minutes=70), tick=False):
            assert not is_signed_in(client)

    def test_the_session_cookie_can_end_with_the_browser(self, desk, settings):
        settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
        client = Client()
        client.post("/login/", {"username": "maija@acme.fi", "password": PASSWORD})
        cookie = client.cookies["sessionid"]
        assert not cookie["max-age"] and not cookie["expires"]
