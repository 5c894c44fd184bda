"""Stored messages on the ticket page: who may read them, and what the page shows."""

from __future__ import annotations

import email
from email import policy

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from tuki.mail import services
from tuki.mail.models import InboundMessage, Mailbox, OutboundMessage, UnknownSenders
from tuki.mail.tests.mails import TRUSTED_SERVER, mail
from tuki.tickets import services as tickets
from tuki.tickets.models import Ticket

SEE = ["operator", "specialist", "lead", "admin"]
HIDDEN = ["requester", "colleague", "outsider", "other_agent"]
HTML = '<p>Hello <b>desk</b></p><script>alert("x")</script><img src="https://track.example/p.gif">'


@pytest.fixture
def mailbox(desk) -> Mailbox:
    return Mailbox.objects.create(
        name="support", address="support@tuki.test", trusted_authserv_ids=TRUSTED_SERVER
    )


@pytest.fixture
def emailed(desk, mailbox) -> Ticket:
    """Opened by email with an HTML part, escalated to Network Helsinki."""
    message = email.message_from_bytes(mail(message_id="html@acme.fi"), policy=policy.default)
    message.add_alternative(HTML, subtype="html")
    services.ingest_message(message.as_bytes(), mailbox)
    ticket = Ticket.objects.get()
    return tickets.escalate_ticket(desk.operator, ticket, group=desk.network_hel)


@pytest.fixture
def inbound(emailed) -> InboundMessage:
    return InboundMessage.objects.get()


@pytest.fixture
def quarantined(desk, mailbox) -> InboundMessage:
    mailbox.unknown_senders = UnknownSenders.REFUSE
    mailbox.save()
    return services.ingest_message(mail(sender="x@junk.example"), mailbox).inbound


def urls(message: InboundMessage) -> list[str]:
    return [f"/mail/inbound/{message.pk}/", f"/mail/inbound/{message.pk}/message.eml"]


class TestInboundMessages:
    @pytest.mark.parametrize("who", SEE)
    def test_agents_who_see_the_ticket_read_the_email(self, desk, inbound, who):
        client = desk.client_for(getattr(desk, who))
        for url in urls(inbound):
            response = client.get(url)
            assert response.status_code == 200
            assert "sandbox" in response["Content-Security-Policy"]

    @pytest.mark.parametrize("who", HIDDEN)
    def test_everyone_else_gets_a_404(self, desk, inbound, who):
        client = desk.client_for(getattr(desk, who))
        for url in urls(inbound):
            assert client.get(url).status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, desk, inbound):
        for url in urls(inbound):
            assert Client().get(url).status_code == 302

    def test_the_html_is_sanitised_and_loads_nothing_remote(self, desk, inbound):
        response = desk.client_for(desk.operator).get(urls(inbound)[0])
        page = response.content.decode()
        assert "<b>desk</b>" in page and "<script" not in page
        # A tracking pixel may stay in the markup; the browser is told not to fetch it.
        assert "img-src data:;" in response["Content-Security-Policy"]

    def test_the_original_bytes_download_as_a_file(self, desk, inbound):
        response = desk.client_for(desk.operator).get(urls(inbound)[1])
        assert response["Content-Type"] == "message/rfc822"
        assert "attachment" in response["Content-Disposition"]
        assert response.content == bytes(inbound.raw)

    def test_quarantined_messages_are_for_administrators(self, desk, quarantined):
        assert desk.client_for(desk.admin).get(urls(quarantined)[1]).status_code == 200
        for who in ["operator", "requester"]:
            client = desk.client_for(getattr(desk, who))
            assert client.get(urls(quarantined)[1]).status_code == 404

    def test_staff_need_the_mail_permission(self, desk, quarantined):
        staff = desk.colleague
        staff.is_staff = True
        staff.save()
        client = desk.client_for(staff)
        assert client.get(urls(quarantined)[1]).status_code == 404
        staff.user_permissions.add(Permission.objects.get(codename="view_inboundmessage"))
        assert desk.client_for(staff).get(urls(quarantined)[1]).status_code == 200


class TestOutboundMessages:
    @pytest.fixture
    def sent(self, emailed, django_capture_on_commit_callbacks) -> OutboundMessage:
        return OutboundMessage.objects.get(what="created")

    @pytest.mark.parametrize("who", SEE)
    def test_agents_who_see_the_ticket_read_what_was_sent(self, desk, sent, who):
        response = desk.client_for(getattr(desk, who)).get(f"/mail/outbound/{sent.pk}/message.eml")
        assert response.status_code == 200

    @pytest.mark.parametrize("who", HIDDEN)
    def test_everyone_else_gets_a_404(self, desk, sent, who):
        response = desk.client_for(getattr(desk, who)).get(f"/mail/outbound/{sent.pk}/message.eml")
        assert response.status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, desk, sent):
        assert Client().get(f"/mail/outbound/{sent.pk}/message.eml").status_code == 302


class TestTicketPage:
    def test_the_page_links_the_original_email(self, desk, emailed, inbound):
        page = desk.client_for(desk.operator).get(emailed.get_absolute_url()).content.decode()
        assert f"/mail/inbound/{inbound.pk}/" in page

    def test_an_emailed_reply_shows_how_it_came_and_went(
        self, desk, emailed, mailbox, django_capture_on_commit_callbacks
    ):
        reply = services.ingest_message(
            mail("Any news?", subject=f"Re: [{emailed.number}]", proven=True), mailbox
        )
        with django_capture_on_commit_callbacks(execute=True):
            tickets.add_comment(desk.operator, emailed, "Working on it")
        page = desk.client_for(desk.operator).get(emailed.get_absolute_url()).content.decode()
        assert f"/mail/inbound/{reply.inbound.pk}/" in page
        assert "emailed" in page
        assert "sender proven: The receiving mail server" in page  # which proof, for agents
        shown = desk.client_for(desk.operator).get(f"/mail/inbound/{reply.inbound.pk}/")
        assert "dmarc=pass (mx.tuki.test)" in shown.content.decode()

    def test_an_unproven_sender_is_shown_as_such(self, desk, emailed, inbound):
        page = desk.client_for(desk.operator).get(emailed.get_absolute_url()).content.decode()
        assert "sender not proven" in page

    def test_a_delivery_failure_is_shown(self, desk, emailed):
        tickets.add_comment(desk.operator, emailed, "Working on it")
        OutboundMessage.objects.filter(what="reply").update(
            status="failed", last_error="550 mailbox unavailable"
        )
        page = desk.client_for(desk.operator).get(emailed.get_absolute_url()).content.decode()
        assert "did not get through" in page and "550 mailbox unavailable" in page


def test_a_comment_without_email_writes_what_its_template_would():
    """{% comment_mail %} skips its template for comments no email carried: same output."""
    from django.template.loader import render_to_string

    from tuki.mail.templatetags.mail_tags import NO_MAIL

    assert render_to_string("mail/partials/comment_mail.html", {}) == NO_MAIL
