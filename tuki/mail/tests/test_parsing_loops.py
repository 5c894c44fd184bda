"""Machines, not people: auto-replies, lists and bounces (RFC 3834, RFC 3464)."""

from __future__ import annotations

import pytest

from tuki.mail.inbound.parsing import parse_message
from tuki.mail.tests.messages import raw


def message(
    headers: str = "", sender: str = "Ana <ana@acme.example>", subject: str = "VPN"
) -> bytes:
    return raw(
        f"From: {sender}\nTo: desk@tuki.example\nSubject: {subject}\nMessage-ID: <m@x>\n"
        f"{headers}\nHello."
    )


def test_a_person_has_no_auto_reasons() -> None:
    parsed = parse_message(message("Auto-Submitted: no\nPrecedence: first-class\n"))
    assert parsed.auto_reasons == []
    assert parsed.is_bounce is False


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: auto-replied\n", "auto-submitted: auto-replied"),
        ("Auto-Submitted: auto-generated; owner-email=x@y\n", "auto-submitted: auto-generated"),
        ("Auto-Submitted: Auto-Notified\n", "auto-submitted: auto-notified"),
        ("Precedence: bulk\n", "precedence: bulk"),
        ("Precedence: junk\n", "precedence: junk"),
        ("Precedence: list\n", "precedence: list"),
        ("X-Autoreply: yes\n", "x-autoreply"),
        ("X-Autorespond: Out of office\n", "x-autorespond"),
        ("X-Auto-Response-Suppress: All\n", "x-auto-response-suppress: all"),
        ("X-Auto-Response-Suppress: DR, OOF\n", "x-auto-response-suppress: dr, oof"),
        ("List-Id: Users <users.lists.acme.example>\n", "list-id"),
        ("List-Unsubscribe: <mailto:leave@lists.acme.example>\n", "list-unsubscribe"),
        ("Return-Path: <>\n", "return-path: <>"),
    ],
)
def test_headers_that_mark_a_machine(headers: str, reason: str) -> None:
    assert reason in parse_message(message(headers)).auto_reasons


@pytest.mark.parametrize(
    ("sender", "reason"),
    [
        ("MAILER-DAEMON@mx.acme.example", "sender: mailer-daemon"),
        ("Mail Delivery System <postmaster@acme.example>", "sender: postmaster"),
        ("noreply@github.com", "sender: noreply"),
        ("do-not-reply+abc@acme.example", "sender: do-not-reply+abc"),
    ],
)
def test_machine_senders(sender: str, reason: str) -> None:
    assert reason in parse_message(message(sender=sender)).auto_reasons


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: VPN",
        "Out of Office: VPN",
        "Răspuns automat: VPN",
        "Automaattinen vastaus: VPN",
    ],
)
def test_out_of_office_subjects_in_three_languages(subject: str) -> None:
    assert "subject: automatic reply" in parse_message(message(subject=subject)).auto_reasons


def test_exchange_suppression_of_nothing_is_a_person() -> None:
    assert parse_message(message("X-Auto-Response-Suppress: DR, RN\n")).auto_reasons == []


DSN = """From: MAILER-DAEMON@mx.acme.fi (Mail Delivery System)
Return-Path: <>
To: desk@tuki.example
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
Message-ID: <dsn1@mx.acme.fi>
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered to one or more recipients.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.fi

Final-Recipient: rfc822; Gone@acme.fi
Original-Recipient: rfc822;gone@acme.fi
Action: {action}
Status: 5.1.1

Final-Recipient: rfc822; left@acme.fi
Action: {action}
Status: 5.1.1
--B
{returned}
--B--
"""
HEADERS_PART = """Content-Type: text/rfc822-headers

From: Tuki <desk@tuki.example>
Subject: [INC-12] VPN
Message-ID: <out-12-3@tuki.example>
"""
MESSAGE_PART = """Content-Type: message/rfc822

From: Tuki <desk@tuki.example>
Subject: [INC-12] VPN
Message-ID: <out-12-3@tuki.example>

We are on it.
"""


@pytest.mark.parametrize("returned", [HEADERS_PART, MESSAGE_PART])
def test_a_delivery_status_report_is_a_bounce_with_recipients_and_message_id(returned) -> None:
    parsed = parse_message(raw(DSN.format(action="failed", returned=returned)))
    assert parsed.is_bounce is True
    assert parsed.bounced_recipients == ["gone@acme.fi", "left@acme.fi"]
    assert parsed.bounced_message_id == "out-12-3@tuki.example"
    assert "auto-submitted: auto-replied" in parsed.auto_reasons
    assert parsed.text == "Your message could not be delivered to one or more recipients."
    assert "delivery-status.txt" in [a.filename for a in parsed.attachments]


def test_a_delay_notice_is_automatic_but_not_a_bounce() -> None:
    parsed = parse_message(raw(DSN.format(action="delayed", returned=HEADERS_PART)))
    assert parsed.is_bounce is False
    assert parsed.bounced_recipients == []
    assert parsed.auto_reasons


def test_a_bounce_without_a_report_from_a_mailer_daemon() -> None:
    data = raw(
        """From: Mail Delivery System <Mailer-Daemon@mx.acme.fi>
To: desk@tuki.example
Subject: Mail delivery failed: returning message to sender
X-Failed-Recipients: gone@acme.fi, left@acme.fi
Content-Type: multipart/mixed; boundary=Z

--Z
Content-Type: text/plain

This message was created automatically by mail delivery software.
--Z
Content-Type: message/rfc822

Message-ID: <out-7@tuki.example>
Subject: [INC-7] x

text
--Z--
"""
    )
    parsed = parse_message(data)
    assert parsed.is_bounce is True
    assert parsed.bounced_recipients == ["gone@acme.fi", "left@acme.fi"]
    assert parsed.bounced_message_id == "out-7@tuki.example"


def test_a_read_receipt_is_automatic_not_a_bounce() -> None:
    data = raw(
        """From: Ana <ana@acme.example>
To: desk@tuki.example
Subject: Read: VPN
Content-Type: multipart/report; report-type=disposition-notification; boundary=Z

--Z
Content-Type: text/plain

Your message was read.
--Z
Content-Type: message/disposition-notification

Final-Recipient: rfc822; ana@acme.example
Disposition: manual-action/MDN-sent-manually; displayed
--Z--
"""
    )
    parsed = parse_message(data)
    assert parsed.is_bounce is False
    assert "multipart/report" in parsed.auto_reasons


STATUS_PART = """Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.fi

Final-Recipient: rfc822; gone@acme.fi
Action: failed
Status: 5.1.1
"""


def test_a_delivery_status_inside_multipart_mixed_is_a_bounce() -> None:
    data = raw(
        "From: postmaster@acme.fi\nTo: desk@tuki.example\nSubject: Undeliverable: VPN\n"
        "Content-Type: multipart/mixed; boundary=Z\n\n--Z\nContent-Type: text/plain\n\n"
        f"Delivery failed.\n--Z\n{STATUS_PART}--Z\n{HEADERS_PART}--Z--\n"
    )
    parsed = parse_message(data)
    assert parsed.is_bounce is True
    assert parsed.bounced_recipients == ["gone@acme.fi"]
    assert parsed.bounced_message_id == "out-12-3@tuki.example"


def test_a_bounce_forwarded_by_a_person_is_not_a_bounce() -> None:
    bounce = DSN.format(action="failed", returned=HEADERS_PART)
    data = raw(
        "From: Ana <ana@acme.example>\nTo: desk@tuki.example\nSubject: Fwd: bounce\n"
        "Content-Type: multipart/mixed; boundary=F\n\n--F\nContent-Type: text/plain\n\n"
        f"Why does this bounce?\n--F\nContent-Type: message/rfc822\n\n{bounce}\n--F--\n"
    )
    parsed = parse_message(data)
    assert parsed.is_bounce is False
    assert parsed.auto_reasons == []
    assert parsed.attachments[0].filename == "Undelivered Mail Returned to Sender.eml"


@pytest.mark.parametrize(
    "subject", ["Out of office not working", "Automatic reply settings", "Autoreply for Ana?"]
)
def test_people_asking_about_auto_replies_are_people(subject: str) -> None:
    assert parse_message(message(subject=subject)).auto_reasons == []
