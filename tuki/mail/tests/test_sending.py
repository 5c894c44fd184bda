"""Delivery over SMTP: sent as composed, retried with a growing delay, then marked failed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tuki.mail.models import OutboundMessage
from tuki.mail.outbound import sending
from tuki.mail.tests.conftest import free_port
from tuki.tickets import services as tickets


@pytest.fixture
def planned(desk, incident) -> OutboundMessage:
    """A public reply planned but not yet sent (its on-commit enqueue never ran)."""
    tickets.add_comment(desk.operator, incident, "Please try again.")
    return OutboundMessage.objects.get()


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 2


class TestDelivery:
    def test_the_message_reaches_the_smtp_server_as_composed(self, planned, smtp_sink):
        assert sending.send_outbound.call(planned.pk) == "sent"
        planned.refresh_from_db()
        assert (planned.status, planned.attempts, planned.last_error) == ("sent", 1, "")
        assert planned.sent_at and planned.raw
        [(mail_from, rcpt_tos, raw)] = smtp_sink.received
        assert rcpt_tos == ["maija@acme.fi"]
        assert (
            raw.replace(b"\r\n", b"\n").strip()
            == bytes(planned.raw).replace(b"\r\n", b"\n").strip()
        )
        [message] = smtp_sink.messages()
        assert message["Message-ID"] == f"<{planned.message_id}>"

    def test_a_message_is_sent_once_even_if_enqueued_twice(self, planned, smtp_sink):
        assert sending.send(planned.pk) == "sent"
        assert sending.send(planned.pk) == "not due"
        assert len(smtp_sink.received) == 1


class TestFailures:
    def test_an_unreachable_server_is_retried_later_then_marked_failed(
        self, planned, smtp_down, settings
    ):
        settings.MAIL_SEND_ATTEMPTS = 2
        assert sending.send(planned.pk) == "pending"
        planned.refresh_from_db()
        assert planned.attempts == 1 and planned.last_error
        assert planned.next_attempt_at > timezone.now()
        assert sending.send(planned.pk) == "not due"
        OutboundMessage.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        assert sending.send(planned.pk) == "failed"
        planned.refresh_from_db()
        assert (planned.status, planned.attempts, planned.next_attempt_at) == ("failed", 2, None)

    def test_the_delay_grows(self):
        assert [sending.backoff(n).total_seconds() // 60 for n in (1, 2, 3, 4, 9)] == [
            1,
            4,
            16,
            64,
            360,
        ]

    def test_a_composing_error_fails_at_once(self, planned, monkeypatch, smtp_sink):
        def broken(outbound):
            raise ValueError("template broken")

        monkeypatch.setattr(sending, "compose", broken)
        assert sending.send(planned.pk) == "failed"
        planned.refresh_from_db()
        assert "template broken" in planned.last_error and smtp_sink.received == []

    def test_an_admin_retry_sends_a_failed_message(
        self, planned, smtp_sink, django_capture_on_commit_callbacks
    ):
        OutboundMessage.objects.update(status="failed", attempts=6)
        with django_capture_on_commit_callbacks(execute=True):
            sending.retry_now(planned)
        planned.refresh_from_db()
        assert planned.status == "sent" and planned.attempts == 1

    def test_the_sweep_resends_due_and_abandoned_messages(self, planned, smtp_sink):
        OutboundMessage.objects.update(
            status="sending", next_attempt_at=timezone.now() - timedelta(minutes=1)
        )
        assert sending.requeue_due() == 1
        planned.refresh_from_db()
        assert planned.status == "sent" and len(smtp_sink.received) == 1


class TestSubject:
    def test_an_apostrophe_in_the_title_goes_out_as_itself(self, desk, smtp_sink):
        """The subject is plain text: it was rendered with HTML autoescaping (`&#x27;`)."""
        ticket = tickets.create_ticket(
            desk.operator,
            title='Can\'t print: "A & B" <urgent>',
            description="x",
            requester=desk.requester,
        )
        tickets.add_comment(desk.operator, ticket, "Looking at it.")
        outbound = OutboundMessage.objects.get(ticket=ticket, what="reply")
        assert sending.send_outbound.call(outbound.pk) == "sent"
        [message] = smtp_sink.messages()
        expected = f'[{ticket.number}] Can\'t print: "A & B" <urgent>'
        assert message["Subject"] == expected
        outbound.refresh_from_db()
        assert outbound.subject == expected


class TestBatches:
    """The worker sends queued messages in batches (taskqueue.batched): one SMTP connection
    for the batch, each message still claimed, sent and recorded on its own."""

    def three(self, desk, incident) -> list[int]:
        for text in ("One.", "Two.", "Three."):
            tickets.add_comment(desk.operator, incident, text)
        return list(OutboundMessage.objects.order_by("pk").values_list("pk", flat=True))

    def test_a_batch_goes_over_one_connection(self, desk, incident, smtp_sink, monkeypatch):
        import smtplib

        ids = self.three(desk, incident)
        connects = []
        real = smtplib.SMTP.connect

        def counted(self, *args, **kwargs):
            connects.append(args)
            return real(self, *args, **kwargs)

        monkeypatch.setattr(smtplib.SMTP, "connect", counted)
        calls = [([pk], {}) for pk in ids] + [([ids[0]], {})]  # the first one queued twice
        assert sending._send_together(calls) == ["sent", "sent", "sent", "not due"]
        assert len(connects) == 1
        assert len(smtp_sink.received) == 3
        assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}

    def test_with_the_server_down_each_message_waits_for_its_retry(self, desk, incident, smtp_down):
        ids = self.three(desk, incident)
        assert sending._send_together([([pk], {}) for pk in ids]) == ["pending"] * 3
        for outbound in OutboundMessage.objects.all():
            assert outbound.attempts == 1 and outbound.last_error
            assert outbound.next_attempt_at > timezone.now()
