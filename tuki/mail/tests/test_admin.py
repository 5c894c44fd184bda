"""Mail configuration and logs in the admin: only administrators, and their actions."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from tuki.accounts.models import User
from tuki.mail import services
from tuki.mail.inbound import polling
from tuki.mail.models import (
    BouncingAddress,
    InboundMessage,
    Mailbox,
    OutboundMessage,
    UnknownSenders,
)
from tuki.mail.tests.mails import mail
from tuki.tickets import services as tickets

PAGES = [
    "mail/mailbox/",
    "mail/mailbox/add/",
    "mail/inboundmessage/",
    "mail/quarantinedmessage/",
    "mail/outboundmessage/",
    "mail/bouncingaddress/",
]


@pytest.fixture
def mailbox(desk) -> Mailbox:
    return Mailbox.objects.create(
        name="support",
        address="support@tuki.test",
        imap_host="imap.tuki.test",
        imap_user="support",
        imap_password="old-secret",
    )


@pytest.fixture
def quarantined(desk, mailbox) -> InboundMessage:
    mailbox.unknown_senders = UnknownSenders.REFUSE
    mailbox.save()
    return services.ingest_message(mail(sender="pekka@acme.fi"), mailbox).inbound


def action(client: Client, page: str, name: str, ids: list[int]):
    return client.post(
        f"/admin/{page}", {"action": name, "_selected_action": [str(i) for i in ids]}, follow=True
    )


class TestWhoMayConfigure:
    @pytest.mark.parametrize(
        "who", ["requester", "outsider", "operator", "specialist", "other_agent"]
    )
    @pytest.mark.parametrize("page", PAGES)
    def test_only_administrators_reach_the_mail_pages(self, desk, mailbox, who, page):
        response = desk.client_for(getattr(desk, who)).get("/admin/" + page)
        assert response.status_code == 302 and "/admin/login/" in response.url

    @pytest.mark.parametrize("page", PAGES)
    def test_anonymous_visitors_are_sent_to_sign_in(self, desk, page):
        response = Client().get("/admin/" + page)
        assert response.status_code == 302 and "/admin/login/" in response.url

    @pytest.mark.parametrize("page", PAGES)
    def test_administrators_see_every_page(self, desk, mailbox, quarantined, page):
        assert desk.client_for(desk.admin).get("/admin/" + page).status_code == 200

    def test_the_password_is_never_shown_and_kept_when_left_empty(self, desk, mailbox):
        client = desk.client_for(desk.admin)
        page = client.get(f"/admin/mail/mailbox/{mailbox.pk}/change/").content.decode()
        assert "old-secret" not in page
        data = {
            "name": "support",
            "address": "support@tuki.test",
            "is_active": "on",
            "imap_host": "imap.tuki.test",
            "imap_port": "993",
            "imap_security": "ssl",
            "imap_user": "support",
            "imap_password": "",
            "imap_folder": "INBOX",
            "poll_interval": "120",
            "kind": "incident",
            "unknown_senders": "create",
            "closed_replies": "reopen",
        }
        response = client.post(f"/admin/mail/mailbox/{mailbox.pk}/change/", data)
        assert response.status_code == 302
        mailbox.refresh_from_db()
        assert (mailbox.imap_password, mailbox.poll_interval) == ("old-secret", 120)

    def test_bad_settings_are_refused_by_field(self, desk):
        data = {
            "name": "x",
            "address": "x@tuki.test",
            "imap_host": "imap.tuki.test",
            "imap_port": "993",
            "imap_security": "ssl",
            "imap_folder": "INBOX",
            "poll_interval": "1",
            "kind": "incident",
            "unknown_senders": "create",
            "closed_replies": "reopen",
        }
        response = desk.client_for(desk.admin).post("/admin/mail/mailbox/add/", data)
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert set(errors) == {"poll_interval", "imap_user"}
        assert not Mailbox.objects.filter(name="x").exists()


class TestActions:
    def test_a_quarantined_message_is_reprocessed_once_its_sender_is_known(self, desk, quarantined):
        client = desk.client_for(desk.admin)
        response = action(client, "mail/quarantinedmessage/", "reprocess", [quarantined.pk])
        assert "still refused" in response.content.decode()
        User.objects.create_user("pekka@acme.fi", None, full_name="Pekka")
        response = action(client, "mail/quarantinedmessage/", "reprocess", [quarantined.pk])
        assert "1 message processed" in response.content.decode()
        quarantined.refresh_from_db()
        assert quarantined.status == "processed" and quarantined.ticket
        assert client.get("/admin/mail/quarantinedmessage/").context["cl"].result_count == 0

    def test_junk_can_be_discarded_from_the_quarantine_but_the_log_stays(self, desk, quarantined):
        client = desk.client_for(desk.admin)
        response = client.post(
            f"/admin/mail/quarantinedmessage/{quarantined.pk}/delete/", {"post": "yes"}
        )
        assert response.status_code == 302 and not InboundMessage.objects.exists()

    def test_messages_are_read_only(self, desk, quarantined):
        client = desk.client_for(desk.admin)
        client.post(f"/admin/mail/inboundmessage/{quarantined.pk}/change/", {"subject": "x"})
        quarantined.refresh_from_db()
        assert quarantined.subject != "x"

    def test_a_failed_message_is_sent_again(
        self, desk, incident, django_capture_on_commit_callbacks
    ):
        tickets.add_comment(desk.operator, incident, "Hello")
        OutboundMessage.objects.update(status="failed", attempts=6)
        with django_capture_on_commit_callbacks(execute=True):
            action(
                desk.client_for(desk.admin),
                "mail/outboundmessage/",
                "retry",
                [OutboundMessage.objects.get().pk],
            )
        assert OutboundMessage.objects.get().status == "sent"

    def test_a_bouncing_address_is_reset(self, desk):
        bouncing = BouncingAddress.objects.create(address="maija@acme.fi")
        action(desk.client_for(desk.admin), "mail/bouncingaddress/", "reset", [bouncing.pk])
        assert not BouncingAddress.objects.exists()

    def test_poll_now_queues_a_poll(self, desk, mailbox, monkeypatch):
        polled = []
        monkeypatch.setattr(polling, "poll_mailbox", SimpleNamespace(enqueue=polled.append))
        action(desk.client_for(desk.admin), "mail/mailbox/", "poll_now", [mailbox.pk])
        assert polled == [mailbox.pk]
