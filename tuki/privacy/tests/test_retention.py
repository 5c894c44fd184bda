"""Raw inbound mail is cleared after the retention period; the ticket made of it stays."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from tuki.mail.models import InboundMessage, InboundStatus
from tuki.mail.services import ingest_message
from tuki.mail.tests.mails import mail
from tuki.privacy.retention import clear_raw_mail
from tuki.tickets.models import Ticket


def aged(days: int, **filters: object) -> InboundMessage:
    row = InboundMessage.objects.get(**filters)
    InboundMessage.objects.filter(pk=row.pk).update(
        received_at=timezone.now() - timedelta(days=days)
    )
    return row


def test_old_raw_mail_is_cleared_and_the_ticket_kept(desk, settings):
    settings.RAW_MAIL_RETENTION_DAYS = 90
    ingest_message(mail("Old message body.\n", message_id="old@acme.fi"))
    ingest_message(mail("Recent message body.\n", message_id="new@acme.fi", subject="Printer"))
    old = aged(91, message_id="old@acme.fi")
    aged(89, message_id="new@acme.fi")

    assert clear_raw_mail() == 1

    old.refresh_from_db()
    assert bytes(old.raw) == b""
    assert old.status == InboundStatus.PROCESSED and old.subject == "VPN keeps dropping"
    assert b"Recent message body" in bytes(InboundMessage.objects.get(message_id="new@acme.fi").raw)
    ticket = Ticket.objects.get(pk=old.ticket_id)
    assert "Old message body." in ticket.description
    assert clear_raw_mail() == 0  # safe to run again


def test_quarantined_mail_keeps_its_bytes_and_zero_days_keeps_everything(desk, settings):
    ingest_message(mail("Body.\n", message_id="q@acme.fi"))
    row = aged(400, message_id="q@acme.fi")
    InboundMessage.objects.filter(pk=row.pk).update(status=InboundStatus.QUARANTINED)
    assert clear_raw_mail(days=90) == 0
    InboundMessage.objects.filter(pk=row.pk).update(status=InboundStatus.PROCESSED)
    settings.RAW_MAIL_RETENTION_DAYS = 0
    assert clear_raw_mail() == 0
    assert bytes(InboundMessage.objects.get(pk=row.pk).raw) != b""


def test_the_command_clears_with_its_own_days(desk, capsys):
    ingest_message(mail("Body.\n", message_id="c@acme.fi"))
    aged(10, message_id="c@acme.fi")
    call_command("clear_raw_mail", "--days", "7")
    assert "raw mail cleared: 1 messages" in capsys.readouterr().out
    assert bytes(InboundMessage.objects.get(message_id="c@acme.fi").raw) == b""
