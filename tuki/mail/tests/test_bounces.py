"""Bounces of Tuki's mail: a note on the ticket and silence towards the address."""

from __future__ import annotations

import pytest

from tuki.mail import services
from tuki.mail.models import BouncingAddress, Mailbox, OutboundMessage
from tuki.mail.tests.mails import bounce
from tuki.tickets import services as tickets


@pytest.fixture
def mailbox(desk) -> Mailbox:
    return Mailbox.objects.create(name="support", address="support@tuki.test")


@pytest.fixture
def reply(desk, incident) -> OutboundMessage:
    tickets.add_comment(desk.operator, incident, "Please try again.")
    return OutboundMessage.objects.get()


class TestBounces:
    def test_a_bounce_is_a_note_on_its_ticket_and_silences_the_address(
        self, desk, mailbox, incident, reply
    ):
        result = services.ingest_message(bounce(reply.message_id), mailbox)
        assert (result.status, result.inbound.action, result.inbound.ticket) == (
            "processed",
            "bounce",
            incident,
        )
        note = incident.comments.filter(is_internal=True).get()
        assert "maija@acme.fi" in note.body and note.author is None
        assert BouncingAddress.objects.get().address == "maija@acme.fi"
        reply.refresh_from_db()
        assert reply.status == "bounced"
        tickets.add_comment(desk.operator, incident, "Hello?")
        assert OutboundMessage.objects.latest("id").status == "skipped"

    def test_a_second_bounce_counts(self, desk, mailbox, incident, reply):
        services.ingest_message(bounce(reply.message_id), mailbox)
        services.ingest_message(bounce(reply.message_id), mailbox)
        assert BouncingAddress.objects.get().bounces == 2

    def test_a_bounce_of_mail_tuki_never_sent_is_ignored(self, desk, mailbox, incident):
        result = services.ingest_message(bounce("forged@elsewhere.example"), mailbox)
        assert (result.status, result.inbound.reason_code) == ("ignored", "unknown_bounce")
        assert not BouncingAddress.objects.exists() and not incident.comments.exists()

    def test_a_bounce_never_opens_a_ticket_or_a_requester(self, desk, mailbox):
        services.ingest_message(bounce("nothing@tuki.test"), mailbox)
        assert not desk.requester.requested_tickets.exists()
        from tuki.accounts.models import User

        assert not User.objects.filter(email__icontains="mailer-daemon").exists()
