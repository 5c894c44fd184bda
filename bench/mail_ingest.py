"""Email ingestion: messages taken in per second, each its own transaction, as a worker does.

On the benchmark's database (the big desk `tuki bench` loaded, or whatever the settings
name when run alone). Messages are built with the standard library like real client mail:
multipart text + HTML, a signature, a quoted history on replies, one in ten with a small
PDF attachment. Three streams:

- new requests from known requesters (a new ticket each, acknowledgement planned);
- replies to open tickets ([INC-n] in the subject, In-Reply-To) — threading, a comment,
  the SLA clock's next-response handling;
- duplicates (a message seen before): the cheap path that must stay cheap.

Outbound mail is planned but not sent (no worker runs). `seconds` bounds each stream.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

QUICK = bool(os.environ.get("TUKI_BENCH_QUICK"))
USES_BENCH_DATA = True  # runs on the suite's data set, not a database of its own


def message(
    sender: str, subject: str, body: str, *, reply_to_id: str = "", pdf: bool = False
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@tuki.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = make_msgid(idstring=uuid.uuid4().hex[:12], domain="client.bench.example")
    if reply_to_id:
        msg["In-Reply-To"] = f"<{reply_to_id}>"
        msg["References"] = f"<{reply_to_id}>"
    text = f"{body}\n\n--\nBest regards\nA requester\n"
    if reply_to_id:
        text += "\n> On Monday the service desk wrote:\n> Could you send a screenshot?\n> Thanks\n"
    msg.set_content(text)
    msg.add_alternative(
        f"<html><body><p>{body}</p><p>Best regards<br>A requester</p></body></html>", subtype="html"
    )
    if pdf:
        msg.add_attachment(
            b"%PDF-1.4\n" + b"0" * 20_000,
            maintype="application",
            subtype="pdf",
            filename="report.pdf",
        )
    return msg.as_bytes()


def stream(make: Callable[[int], bytes], seconds: float, limit: int) -> float:
    from tuki.mail.services import ingest_message

    done = 0
    started = time.perf_counter()
    while done < limit and time.perf_counter() - started < seconds:
        result = ingest_message(make(done))
        assert result.status not in ("quarantined",), result
        done += 1
    return done / (time.perf_counter() - started)


def run(seconds: float) -> Iterator[tuple[str, float, str]]:
    from tuki.accounts.models import User
    from tuki.tickets.models import ACTIVE_CATEGORIES, Ticket

    seconds = max(seconds, 0.5) * (1 if QUICK else 3)
    limit = 50 if QUICK else 100_000
    requesters = list(
        User.objects.filter(is_agent=False, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)[:500]
    )
    if not requesters:
        return
    yield (
        "new requests",
        stream(
            lambda i: message(
                requesters[i % len(requesters)],
                f"Printer on floor {i % 9} prints blank pages",
                "The printer next to the kitchen prints only blank pages since this morning.",
                pdf=i % 10 == 0,
            ),
            seconds,
            limit,
        ),
        "messages/s",
    )
    open_tickets = list(
        Ticket.objects.filter(status__category__in=ACTIVE_CATEGORIES)
        .select_related("requester")
        .order_by("-id")[:500]
    )
    if open_tickets:
        yield (
            "replies to open tickets",
            stream(
                lambda i: message(
                    open_tickets[i % len(open_tickets)].requester.email,
                    f"Re: [{open_tickets[i % len(open_tickets)].number}] "
                    f"{open_tickets[i % len(open_tickets)].title}",
                    "Here is the screenshot you asked for; the error is still there.",
                    reply_to_id=f"bench.{i}@tuki.example",
                ),
                seconds,
                limit,
            ),
            "messages/s",
        )
    seen = message(requesters[0], "Seen before", "The same message again.")
    from tuki.mail.services import ingest_message

    ingest_message(seen)
    yield "duplicates (seen before)", stream(lambda i: seen, seconds, limit * 10), "messages/s"
