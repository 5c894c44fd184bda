"""Against a real IMAP server (dovecot) and a real SMTP sink (aiosmtpd): the whole round trip."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tuki.mail import services
from tuki.mail.inbound import imap, leases, polling
from tuki.mail.models import ImapSecurity, InboundMessage, Mailbox, MailboxPoll, OutboundMessage
from tuki.mail.tests.mails import mail, reply_to
from tuki.tickets import services as tickets
from tuki.tickets.models import Ticket


class Killed(BaseException):
    """What a SIGKILL looks like from inside: nothing after this point runs."""


@pytest.fixture
def mailbox(desk, imap_server) -> Mailbox:
    return Mailbox.objects.create(
        name="support",
        address="support@tuki.test",
        from_name="Acme IT",
        imap_host=imap_server.host,
        imap_port=imap_server.port,
        imap_security=ImapSecurity.NONE,
        imap_user=imap_server.user,
        imap_password=imap_server.password,
    )


@pytest.fixture
def poll(django_capture_on_commit_callbacks):
    """One poll, with what it schedules after commit (sending) run as a worker would."""

    def run(mailbox: Mailbox) -> imap.PollResult:
        with django_capture_on_commit_callbacks(execute=True):
            return imap.poll(mailbox)

    return run


def crash_at(point: str):
    def checkpoint(name: str) -> None:
        if name == point:
            raise Killed(point)

    return checkpoint


class TestRoundTrip:
    def test_mail_in_agent_reply_out_and_the_answer_back_into_the_same_ticket(
        self, desk, mailbox, imap_server, smtp_sink, poll, django_capture_on_commit_callbacks
    ):
        imap_server.append(mail("My VPN drops.", message_id="start@acme.fi"))
        result = poll(mailbox)
        assert (result.ingested, result.error) == (1, "")
        ticket = Ticket.objects.get()
        assert ticket.requester == desk.requester and ticket.channel == "email"
        assert imap_server.uids("UNSEEN") == [] and len(imap_server.uids()) == 1

        [ack] = smtp_sink.wait_for(1)
        assert ack["To"] == "maija@acme.fi" and "support@tuki.test" in ack["From"]
        assert ack["Auto-Submitted"] == "auto-generated"

        with django_capture_on_commit_callbacks(execute=True):
            tickets.add_comment(desk.operator, ticket, "Please restart the VPN client.")
        reply = smtp_sink.wait_for(2)[1]
        assert f"[{ticket.number}]" in reply["Subject"] and "Auto-Submitted" not in reply
        assert reply["In-Reply-To"] == ack["Message-ID"]  # the latest message of the thread
        assert reply["References"].split() == ["<start@acme.fi>", ack["Message-ID"]]
        assert "Please restart the VPN client." in reply.get_body(("plain",)).get_content()
        assert OutboundMessage.objects.filter(status="sent").count() == 2

        imap_server.append(reply_to(reply, "Restarted, works now. Thanks!"))
        assert poll(mailbox).ingested == 1
        assert Ticket.objects.count() == 1
        answer = ticket.comments.order_by("created_at", "id").last()
        assert (answer.author, answer.channel) == (desk.requester, "email")
        assert answer.body == "Restarted, works now. Thanks!"
        assert len(smtp_sink.received) == 2  # the requester's answer is not acknowledged

    def test_the_task_polls_and_records_the_poll(self, desk, mailbox, imap_server):
        imap_server.append(mail())
        assert polling.poll_mailbox.call(mailbox.pk) == "1 message(s)"
        row = MailboxPoll.objects.get(mailbox=mailbox)
        assert row.last_success_at and not row.lease_owner and row.failures == 0

    def test_processed_mail_can_be_moved_to_a_folder(self, desk, mailbox, imap_server, poll):
        client = imap_server.client()
        client.create("Processed")
        client.logout()
        mailbox.processed_folder = "Processed"
        mailbox.save()
        imap_server.append(mail())
        assert poll(mailbox).ingested == 1
        assert imap_server.uids() == [] and len(imap_server.uids(folder="Processed")) == 1


class TestNothingLostNothingTwice:
    def test_a_crash_before_the_commit_leaves_the_message_for_the_next_poll(
        self, desk, mailbox, imap_server, poll, monkeypatch
    ):
        imap_server.append(mail(message_id="crash1@acme.fi"))
        monkeypatch.setattr(services, "checkpoint", crash_at("ingest.before_commit"))
        with pytest.raises(Killed):
            poll(mailbox)
        assert not Ticket.objects.exists() and not InboundMessage.objects.exists()
        assert len(imap_server.uids("UNSEEN")) == 1
        monkeypatch.undo()
        MailboxPoll.objects.update(lease_until=timezone.now() - timedelta(seconds=1))

        assert poll(mailbox).ingested == 1
        assert Ticket.objects.count() == 1 and InboundMessage.objects.count() == 1
        assert imap_server.uids("UNSEEN") == []

    def test_a_crash_after_the_commit_before_the_flag_does_not_duplicate(
        self, desk, mailbox, imap_server, poll, monkeypatch, smtp_sink
    ):
        imap_server.append(mail(message_id="crash2@acme.fi"))
        monkeypatch.setattr(services, "checkpoint", crash_at("poll.after_commit"))
        with pytest.raises(Killed):
            poll(mailbox)
        assert Ticket.objects.count() == 1
        assert len(imap_server.uids("UNSEEN")) == 1  # never flagged
        monkeypatch.undo()

        assert poll(mailbox).ingested == 1  # taken again: a duplicate, now flagged
        assert Ticket.objects.count() == 1 and InboundMessage.objects.count() == 1
        assert OutboundMessage.objects.count() == 1 and len(smtp_sink.wait_for(1)) == 1
        assert imap_server.uids("UNSEEN") == []

    def test_a_database_outage_stops_the_poll_and_keeps_the_message(
        self, desk, mailbox, imap_server, poll, monkeypatch
    ):
        imap_server.append(mail())

        def down(*args, **kwargs):
            raise services.TransientError("database is locked")

        monkeypatch.setattr(services, "ingest_message", down)
        result = poll(mailbox)
        assert result.ingested == 0 and "database" in result.error
        assert len(imap_server.uids("UNSEEN")) == 1
        assert MailboxPoll.objects.get().failures == 1


class TestPollProblems:
    def test_one_poll_at_a_time(self, desk, mailbox, imap_server, poll):
        imap_server.append(mail())
        token = leases.claim_lease(mailbox.pk)
        assert token and poll(mailbox).skipped
        assert not Ticket.objects.exists()
        leases.release_lease(mailbox.pk, token)
        assert poll(mailbox).ingested == 1

    def test_an_oversized_message_is_quarantined_without_downloading_it(
        self, desk, mailbox, imap_server, poll, settings
    ):
        settings.MAIL_MAX_MESSAGE_SIZE = 3000
        imap_server.append(mail("y" * 10000, message_id="huge@acme.fi"))
        assert poll(mailbox).ingested == 1
        inbound = InboundMessage.objects.get()
        assert inbound.status == "quarantined" and inbound.reason_code == "too_large"
        assert inbound.size > 10000 and len(inbound.raw) < 3000
        assert imap_server.uids("UNSEEN") == []

    def test_a_batch_leaves_the_rest_for_the_next_poll(
        self, desk, mailbox, imap_server, poll, settings
    ):
        settings.MAIL_POLL_BATCH = 2
        for _ in range(3):
            imap_server.append(mail())
        first = poll(mailbox)
        assert (first.ingested, first.more_waiting) == (2, True)
        assert poll(mailbox).ingested == 1
        assert Ticket.objects.count() == 3


class TestLoginFailure:
    """Last in the file: dovecot slows down logins from an address after a failed one."""

    def test_a_wrong_password_is_recorded_on_the_mailbox(self, desk, mailbox, imap_server, poll):
        imap_server.append(mail())
        mailbox.imap_password = "wrong"
        result = poll(mailbox)
        assert result.error and not Ticket.objects.exists()
        row = MailboxPoll.objects.get()
        assert row.failures == 1 and row.last_error and not row.lease_owner
        assert polling.next_delay(mailbox, failures=row.failures) > polling.next_delay(mailbox)
