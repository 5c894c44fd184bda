"""Whatever bytes arrive, ingestion records an outcome: it never raises, never half-writes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tuki.mail import services
from tuki.mail.models import InboundMessage, Mailbox
from tuki.tickets.models import Ticket

HEADER_LINES = st.sampled_from(
    [
        b"From: maija@acme.fi",
        b"From: <>",
        b"From: =?utf-8?q?=E2=80=AE?= <x@y>",
        b"To: support@tuki.test",
        b"Cc: matti@acme.fi, ,,<>",
        b"Subject: [INC-1] Re: hello",
        b"Subject: =?bogus?B?////?=",
        b"Message-ID: <a@b>",
        b"Message-ID: <>",
        b"In-Reply-To: <nothing@here>",
        b"References: <a@b> <c@d>",
        b"Auto-Submitted: auto-replied",
        b"Content-Type: multipart/mixed; boundary=x",
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=x",
        b"Content-Transfer-Encoding: base64",
    ]
)


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    headers = draw(st.lists(HEADER_LINES, max_size=8))
    body = draw(st.binary(max_size=300))
    noise = draw(st.binary(max_size=40))
    return b"\r\n".join(headers) + b"\r\n\r\n" + body + b"\r\n--x\r\n" + noise


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=messages())
def test_any_message_gets_an_outcome_and_tickets_only_when_processed(desk, raw):
    mailbox, _created = Mailbox.objects.get_or_create(name="support", address="support@tuki.test")
    tickets_before = Ticket.objects.count()
    result = services.ingest_message(raw, mailbox)
    assert result.status in ("processed", "quarantined", "ignored", "held", "duplicate")
    if result.status in ("quarantined", "held"):
        assert result.reason and Ticket.objects.count() == tickets_before
    if result.status == "quarantined":
        assert result.inbound.ticket_id is None
    assert InboundMessage.objects.filter(pk=result.inbound.pk).exists()
