"""Which ticket events send mail, to whom, from which address, and when not."""

from __future__ import annotations

import pytest
from django.core import mail as outbox
from django.db import transaction

from tuki.mail import services
from tuki.mail.models import BouncingAddress, Mailbox, OutboundMessage
from tuki.mail.tests.mails import mail
from tuki.tickets import services as tickets
from tuki.tickets.models import Channel


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a service as a request would and return the mail it sent."""

    def run(function, *args, **kwargs):
        before = len(outbox.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            function(*args, **kwargs)
        return outbox.outbox[before:]

    return run


def web_ticket(desk, **extra):
    return tickets.create_ticket(
        desk.requester, title="Printer jam", requester=desk.requester, channel=Channel.WEB, **extra
    )


class TestWhatIsSent:
    def test_a_web_ticket_is_acknowledged_from_the_default_address(self, desk, sent, settings):
        settings.DEFAULT_FROM_EMAIL = "Desk <desk@tuki.test>"
        [ack] = sent(web_ticket, desk)
        row = OutboundMessage.objects.get()
        assert (row.what, row.status, row.to_address) == ("created", "sent", "maija@acme.fi")
        assert ack.from_email == "Desk <desk@tuki.test>"
        assert ack.message()["Message-ID"] == f"<{row.message_id}>"
        assert row.message_id.endswith("@tuki.test")

    def test_a_phone_ticket_is_not_acknowledged(self, desk, sent, incident):
        assert not OutboundMessage.objects.exists()

    def test_an_agent_s_public_reply_goes_out_and_an_internal_note_never(
        self, desk, sent, incident
    ):
        assert sent(tickets.add_comment, desk.operator, incident, "Internal", internal=True) == []
        [reply] = sent(tickets.add_comment, desk.operator, incident, "Try this")
        assert "Try this" in reply.body and reply.to == ["maija@acme.fi"]
        assert OutboundMessage.objects.get().comment.body == "Try this"

    def test_the_requester_s_own_reply_is_not_echoed(self, desk, sent, incident):
        assert sent(tickets.add_comment, desk.requester, incident, "More info") == []

    def test_resolution_and_closure_are_mailed(self, desk, sent, incident):
        # One mail on resolve: the satisfaction survey's tells the resolution (tuki/surveys).
        [resolved] = sent(
            tickets.resolve_ticket, desk.operator, incident, code="solved", resolution="Fixed"
        )
        [closed] = sent(tickets.close_ticket, desk.operator, incident)
        whats = [(r.what, r.status) for r in OutboundMessage.objects.order_by("id")]
        assert whats == [("resolved", "skipped"), ("survey", "sent"), ("closed", "sent")]
        assert "Fixed" in resolved.body
        assert resolved.message()["Auto-Submitted"] == "auto-generated"

    def test_a_requester_confirming_the_resolution_gets_no_closing_mail(self, desk, sent, incident):
        sent(tickets.resolve_ticket, desk.operator, incident, code="solved")
        assert sent(tickets.close_ticket, desk.requester, incident) == []

    def test_watchers_outside_the_desk_are_copied(self, desk, sent, incident):
        incident.watchers.add(desk.colleague, desk.lead)
        [reply] = sent(tickets.add_comment, desk.operator, incident, "Update")
        assert reply.cc == ["matti@acme.fi"]

    def test_a_rolled_back_change_sends_nothing(self, desk, sent, incident):
        def fails():
            with transaction.atomic():
                tickets.add_comment(desk.operator, incident, "Never committed")
                raise RuntimeError

        with pytest.raises(RuntimeError):
            sent(fails)
        assert not OutboundMessage.objects.exists() and outbox.outbox == []


class TestFromAndThreading:
    def test_replies_come_from_the_mailbox_the_ticket_arrived_at(self, desk, sent):
        Mailbox.objects.create(name="acme", address="acme-it@tuki.test", from_name="Acme IT")
        mailbox = Mailbox.objects.get()
        sent(services.ingest_message, mail(message_id="in@acme.fi"), mailbox)
        ticket = mailbox.inbound.get().ticket
        [reply] = sent(tickets.add_comment, desk.operator, ticket, "On it")
        assert reply.from_email == "Acme IT <acme-it@tuki.test>"
        ack, answer = OutboundMessage.objects.order_by("id")
        assert answer.in_reply_to == ack.message_id
        assert answer.reference_list == ["in@acme.fi", ack.message_id]


class TestWhenNot:
    def test_acknowledgements_to_one_address_are_limited_per_hour(self, desk, sent, settings):
        settings.MAIL_ACK_LIMIT_PER_HOUR = 2
        for _ in range(3):
            sent(web_ticket, desk)
        statuses = list(OutboundMessage.objects.order_by("id").values_list("status", flat=True))
        assert statuses == ["sent", "sent", "skipped"]
        assert len(outbox.outbox) == 2

    def test_a_bouncing_address_gets_nothing_until_reset(self, desk, sent, incident):
        BouncingAddress.objects.create(address="maija@acme.fi")
        assert sent(tickets.add_comment, desk.operator, incident, "Hello?") == []
        row = OutboundMessage.objects.get()
        assert row.status == "skipped" and "bounces" in row.reason
        BouncingAddress.objects.all().delete()
        assert len(sent(tickets.add_comment, desk.operator, incident, "Hello again")) == 1

    def test_the_desk_never_mails_itself(self, desk, sent):
        Mailbox.objects.create(name="support", address="support@tuki.test")
        desk.requester.email = "support@tuki.test"
        desk.requester.save()
        assert sent(web_ticket, desk) == []
        assert OutboundMessage.objects.get().status == "skipped"


class TestOnlyWhoMaySee:
    """Mail goes only to people who may see the ticket now (tickets/access.py, one rule)."""

    def test_a_watcher_who_cannot_see_a_restricted_ticket_is_not_copied(self, desk, sent):
        ticket = tickets.create_ticket(
            desk.operator, title="HR case", requester=desk.requester, restricted=True
        )
        ticket.watchers.add(desk.colleague)
        [reply] = sent(tickets.add_comment, desk.operator, ticket, "Confidential answer")
        assert reply.to == ["maija@acme.fi"] and reply.cc == []
        row = OutboundMessage.objects.get(what="reply")
        assert row.cc == "" and "matti@acme.fi" in row.reason

    def test_a_watcher_who_still_sees_the_ticket_is_copied(self, desk, sent, incident):
        incident.watchers.add(desk.colleague)
        [reply] = sent(tickets.add_comment, desk.operator, incident, "Update")
        assert reply.cc == ["matti@acme.fi"]
        assert OutboundMessage.objects.get(what="reply").reason == ""

    def test_an_inactive_watcher_is_not_copied(self, desk, sent, incident):
        incident.watchers.add(desk.colleague)
        desk.colleague.is_active = False
        desk.colleague.save()
        [reply] = sent(tickets.add_comment, desk.operator, incident, "Update")
        assert reply.cc == []
